namespace ChatFork.Sessions;

/// <summary>
/// The per-client rate limit for lines (<c>--line-rate</c>, <c>--line-burst</c>) and the flood rule
/// (<c>--flood-timeout</c>). For each line the session asks <see cref="Next"/>: go, wait this long (the session then
/// stops reading its socket, so TCP pushes back on the client), or give up: the client has been held back without a
/// break for the flood timeout, and is disconnected ("excess flood"). Held back "without a break" means every line
/// had to wait; one line that finds a token at once (the client paused) ends the stretch. Pure, with a caller's clock.
/// </summary>
internal sealed class LinePacer
{
    private readonly TokenBucket _bucket;
    private readonly TimeSpan _floodTimeout;
    private TimeSpan? _throttledSince;
    private bool _lineWaited;

    public LinePacer(double ratePerSecond, int burst, TimeSpan floodTimeout, TimeSpan now)
    {
        _bucket = new TokenBucket(ratePerSecond, burst, now);
        _floodTimeout = floodTimeout;
    }

    /// <summary>How long the client has been held back without a break, as of <paramref name="now"/>; zero if it is not.</summary>
    public TimeSpan Throttled(TimeSpan now) => _throttledSince is { } since ? now - since : TimeSpan.Zero;

    /// <summary>
    /// For the line at hand: true when it may go (<paramref name="wait"/> is zero). False with a wait: ask again after
    /// it. False with <see cref="Timeout.InfiniteTimeSpan"/>: the flood timeout has run out.
    /// </summary>
    public bool Next(TimeSpan now, out TimeSpan wait)
    {
        if (_bucket.TryTake(now))
        {
            if (!_lineWaited)
            {
                _throttledSince = null; // this line did not have to wait: the client is within the limit again
            }

            _lineWaited = false;
            wait = TimeSpan.Zero;
            return true;
        }

        _lineWaited = true;
        _throttledSince ??= now;
        var held = now - _throttledSince.Value;
        if (_floodTimeout > TimeSpan.Zero && held >= _floodTimeout)
        {
            wait = Timeout.InfiniteTimeSpan;
            return false;
        }

        wait = _bucket.UntilNext(now);
        if (_floodTimeout > TimeSpan.Zero && held + wait > _floodTimeout)
        {
            wait = _floodTimeout - held; // wake at the deadline rather than past it
        }

        // Never zero: a caller that sleeps 0 would spin.
        wait = wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait;
        return false;
    }
}

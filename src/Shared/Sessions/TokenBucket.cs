namespace ChatFork.Sessions;

/// <summary>
/// A token bucket: holds up to <c>burst</c> tokens, gains <c>rate</c> a second, and each line takes one. A client
/// that sends no faster than the rate never waits; one that pastes up to <c>burst</c> lines at once does not either.
/// Pure: time comes from the caller, so a unit test can drive it with a fake clock.
/// </summary>
internal sealed class TokenBucket
{
    private readonly double _ratePerSecond;
    private readonly double _burst;
    private double _tokens;
    private TimeSpan _last;

    /// <param name="ratePerSecond">Tokens gained a second; greater than zero.</param>
    /// <param name="burst">Most tokens held; at least one. The bucket starts full.</param>
    /// <param name="now">The caller's clock reading now (any monotonic origin).</param>
    public TokenBucket(double ratePerSecond, int burst, TimeSpan now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ratePerSecond, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _ratePerSecond = ratePerSecond;
        _burst = burst;
        _tokens = burst;
        _last = now;
    }

    /// <summary>Tokens there now (fractions count toward the next one).</summary>
    public double Tokens(TimeSpan now)
    {
        Refill(now);
        return _tokens;
    }

    /// <summary>Takes one token if there is one.</summary>
    public bool TryTake(TimeSpan now)
    {
        Refill(now);
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }

    /// <summary>How long until a token is there (zero if one is).</summary>
    public TimeSpan UntilNext(TimeSpan now)
    {
        Refill(now);
        return _tokens >= 1 ? TimeSpan.Zero : TimeSpan.FromSeconds((1 - _tokens) / _ratePerSecond);
    }

    private void Refill(TimeSpan now)
    {
        if (now > _last)
        {
            _tokens = Math.Min(_burst, _tokens + ((now - _last).TotalSeconds * _ratePerSecond));
            _last = now;
        }
    }
}

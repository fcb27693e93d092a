namespace ChatFork.Irc;

/// <summary>
/// Flood control the way IRC servers do it: each line costs a token; tokens come back at a steady rate up to a burst.
/// A client that runs out is flooding, and the server closes it with "Excess Flood" (the words ircd 2.x, hybrid and
/// their descendants use). Pure: the caller passes the time, so a unit test needs no clock. Small and on its own on
/// purpose: a general rate limiter can replace it without touching the session.
/// </summary>
internal sealed class IrcFloodBucket
{
    private readonly double _burst;
    private readonly double _perMillisecond;
    private double _tokens;
    private long _lastMilliseconds;

    /// <param name="burst">Lines a client may send at once.</param>
    /// <param name="linesPerSecond">Lines per second it may keep sending.</param>
    /// <param name="nowMilliseconds">The time now, on any monotonic millisecond clock.</param>
    public IrcFloodBucket(int burst, double linesPerSecond, long nowMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(linesPerSecond);
        _burst = burst;
        _perMillisecond = linesPerSecond / 1000.0;
        _tokens = burst;
        _lastMilliseconds = nowMilliseconds;
    }

    /// <summary>Takes one token for a line; false if there is none: the client floods.</summary>
    public bool TryTake(long nowMilliseconds)
    {
        var elapsed = Math.Max(0, nowMilliseconds - _lastMilliseconds);
        _lastMilliseconds = nowMilliseconds;
        _tokens = Math.Min(_burst, _tokens + (elapsed * _perMillisecond));
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }
}

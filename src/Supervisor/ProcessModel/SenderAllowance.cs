namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// What one sender may still post while the room is congested: a token bucket of <see cref="Rate"/> lines a second
/// with a burst of <see cref="Burst"/>. A person typing, or answering, stays within it; a flood spends it at once and
/// then waits for the congestion to clear. Used by one pipe reader only (not thread-safe).
/// </summary>
internal sealed class SenderAllowance
{
    public const double Rate = 2;
    public const double Burst = 5;

    private readonly TimeProvider _time;
    private double _tokens = Burst;
    private long _last;

    public SenderAllowance(TimeProvider time)
    {
        _time = time;
        _last = time.GetTimestamp();
    }

    public bool TryTake()
    {
        Refill();
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }

    public TimeSpan UntilNextToken()
    {
        Refill();
        return _tokens >= 1 ? TimeSpan.Zero : TimeSpan.FromSeconds((1 - _tokens) / Rate) + TimeSpan.FromMilliseconds(1);
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        _tokens = Math.Min(Burst, _tokens + ((now - _last) * Rate / _time.TimestampFrequency));
        _last = now;
    }
}

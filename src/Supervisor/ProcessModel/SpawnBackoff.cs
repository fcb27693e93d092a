namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// When starting workers goes wrong (the executable is missing, the system is out of processes: EAGAIN, a worker
/// that dies before it attaches or breaks the rules), wait before the next start, 100 ms doubling up to 5 s, the way
/// Apache's prefork sleeps after a failed fork, instead of spinning. A worker that takes a client and says Ready
/// ends the run of failures. While a back-off lasts, no worker is started and no connection is queued.
/// </summary>
internal sealed class SpawnBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan Last = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private TimeSpan _next = First;
    private long _until;
    private int _failuresInRow;
    private long _firstFailure;

    public SpawnBackoff(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>
    /// Called (outside the lock) by the <see cref="Succeeded"/> that ends a run of failures, with how many there were
    /// and how long the run lasted: the one line that says starting workers works again.
    /// </summary>
    public Action<int, TimeSpan>? Recovered { get; init; }

    /// <summary>True while a back-off lasts.</summary>
    public bool IsActive
    {
        get
        {
            lock (_lock)
            {
                return _time.GetTimestamp() < _until;
            }
        }
    }

    /// <summary>A start went wrong: back off, longer each time in a row. Returns how long.</summary>
    public TimeSpan Failed()
    {
        lock (_lock)
        {
            var delay = _next;
            if (_failuresInRow++ == 0)
            {
                _firstFailure = _time.GetTimestamp();
            }

            _next = TimeSpan.FromTicks(Math.Min(_next.Ticks * 2, Last.Ticks));
            _until = _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency);
            return delay;
        }
    }

    /// <summary>A worker serves a client: the next failure backs off from the shortest delay again.</summary>
    public void Succeeded()
    {
        int failures;
        TimeSpan over;
        lock (_lock)
        {
            _next = First;
            failures = _failuresInRow;
            over = failures > 0 ? _time.GetElapsedTime(_firstFailure) : TimeSpan.Zero;
            _failuresInRow = 0;
        }

        if (failures > 0)
        {
            Recovered?.Invoke(failures, over);
        }
    }
}

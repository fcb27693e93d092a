namespace ChatFork.Sessions;

/// <summary>
/// Stands between the line splitter and the real handler in a blocking session: counts lines (the line timeout needs
/// to know when one completed) and, with a <see cref="LinePacer"/>, holds each line until the rate limit lets it go.
/// Holding it blocks the session's read loop, so the socket is not read and TCP pushes back on the client; what it
/// sent before the pause is passed on first. A client held back for the whole flood timeout is disconnected.
/// </summary>
internal sealed class PacedLineHandler : ILineHandler
{
    private readonly ILineHandler _inner;
    private readonly ISessionControl _session;
    private readonly LinePacer? _pacer;
    private readonly SessionLimits _limits;

    public PacedLineHandler(ILineHandler inner, ISessionControl session, SessionLimits limits)
    {
        _inner = inner;
        _session = session;
        _limits = limits;
        _pacer = limits.LineRate > 0 ? new LinePacer(limits.LineRate, limits.LineBurst, limits.FloodTimeout, SessionClock.Now) : null;
    }

    /// <summary>Lines passed on so far.</summary>
    public long Lines { get; private set; }

    public void OnLine(ReadOnlySpan<byte> rawLine)
    {
        if (_pacer is not null)
        {
            var flushed = false;
            while (!_pacer.Next(SessionClock.Now, out var wait))
            {
                if (!flushed)
                {
                    _inner.OnBatchEnd();
                    flushed = true;
                }

                if (wait == Timeout.InfiniteTimeSpan)
                {
                    SessionEnds.Flood(_session, _limits);
                }

                Thread.Sleep(wait);
            }
        }

        Lines++;
        _inner.OnLine(rawLine);
    }

    public void OnBatchEnd() => _inner.OnBatchEnd();
}

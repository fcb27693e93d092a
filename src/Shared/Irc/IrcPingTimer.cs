namespace ChatFork.Irc;

/// <summary>
/// The server's side of PING/PONG: after <c>interval</c> without a byte from the client, send it a PING; if nothing
/// comes for <c>timeout</c> more, it is gone ("Ping timeout: N seconds"). Any line counts as a sign of life, as in
/// every ircd. Pure: the caller passes the time.
/// </summary>
internal sealed class IrcPingTimer
{
    private readonly long _intervalMs;
    private readonly long _timeoutMs;
    private long _lastHeardMs;
    private bool _pingSent;

    public IrcPingTimer(TimeSpan interval, TimeSpan timeout, long nowMilliseconds)
    {
        _intervalMs = (long)interval.TotalMilliseconds;
        _timeoutMs = (long)timeout.TotalMilliseconds;
        _lastHeardMs = nowMilliseconds;
    }

    /// <summary>Seconds of silence after which the client is dropped, for the quit message.</summary>
    public int TotalSeconds => (int)((_intervalMs + _timeoutMs) / 1000);

    public void Heard(long nowMilliseconds)
    {
        _lastHeardMs = nowMilliseconds;
        _pingSent = false;
    }

    /// <summary>How long the reader may wait for the client before it must call <see cref="Due"/>.</summary>
    public TimeSpan WaitFrom(long nowMilliseconds)
    {
        var deadline = _lastHeardMs + _intervalMs + (_pingSent ? _timeoutMs : 0);
        return TimeSpan.FromMilliseconds(Math.Max(1, deadline - nowMilliseconds));
    }

    /// <summary>What is due now: nothing, a PING to send, or the timeout.</summary>
    public IrcPingAction Due(long nowMilliseconds)
    {
        var silent = nowMilliseconds - _lastHeardMs;
        if (_pingSent)
        {
            return silent >= _intervalMs + _timeoutMs ? IrcPingAction.TimedOut : IrcPingAction.None;
        }

        if (silent >= _intervalMs)
        {
            _pingSent = true;
            return IrcPingAction.SendPing;
        }

        return IrcPingAction.None;
    }
}

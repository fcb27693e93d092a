using System.Diagnostics.CodeAnalysis;
using System.Runtime.Versioning;
using ChatFork.Irc;
using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Sessions;

namespace ChatFork.Worker.Loop;

/// <summary>
/// One client's session in the loop worker: everything that belongs to this client and to no later one (its socket
/// and queue, the line in progress, the rate limit, the nick's registration in IRC mode, the deadlines). A
/// <c>--reusable</c> worker makes a new one for each client, so nothing of an earlier client's session survives in
/// it. The loop (<see cref="WorkerLoop"/>) owns the waiting; this reacts to what the wait found, and ends the session
/// by throwing <see cref="SessionEnd"/>, which is how it implements <see cref="ISessionControl"/> for the shared line
/// handlers.
/// </summary>
[SupportedOSPlatform("linux")]
[SupportedOSPlatform("windows")]
internal sealed class LoopSession : ISessionControl
{
    private readonly WorkerArguments _args;
    private readonly LoopSocket _socket;
    private readonly ILineHandler _handler;
    private readonly IrcPingTimer? _ping;
    private readonly TimeSpan _idleTimeout;
    private TimeSpan _lastHeard;
    private long _lastSequence;

    public LoopSession(WorkerArguments args, LoopSocket socket, SupervisorOutbox link, TimeSpan now)
    {
        _args = args;
        _socket = socket;
        Client = new ClientOutbox(socket, args.SendQueueBytes);
        _lastHeard = now;
        if (args.Irc is { } irc)
        {
            var host = socket.PeerAddress() ?? "unknown";
            Irc = new IrcSession(this, Client, new OutboxIrcLink(link), irc, host);
            _handler = Irc;
            _ping = new IrcPingTimer(irc.PingInterval, irc.PingTimeout, Environment.TickCount64);
            // IRC's keep-alive replaces the idle timeout; its flood rule is IrcSession's own.
            Input = new ClientInput(new SessionLimits(args.MaxLineBytes, TimeSpan.Zero), now);
            return;
        }

        _handler = args.Mode == WorkerMode.Echo
            ? new EchoLineHandler(this, Client)
            : new ChatLineHandler(this, Client, link, args.AllowCrash);
        _idleTimeout = args.IdleTimeout;
        // The rate limit is for chat lines; echo mode is the lab's and the benchmark's, and echoes at full speed.
        Input = new ClientInput(new SessionLimits(args.MaxLineBytes, args.IdleTimeout, args.LineTimeout,
            args.Mode == WorkerMode.Chat ? args.LineRate : 0, args.LineBurst, args.FloodTimeout), now);
    }

    public ClientOutbox Client { get; }

    public ClientInput Input { get; }

    public IrcSession? Irc { get; }

    public LoopSocket Socket => _socket;

    /// <summary>The loop reads the client only while nothing is held back by the rate limit.</summary>
    public bool WantsInput => !Input.IsHeld;

    // ISessionControl: each ends the session by unwinding to the loop, which closes the client.
    [DoesNotReturn]
    public void EndSession(LeaveReason reason, string detail, string? lastLine) =>
        throw new SessionEnd(reason, detail, lastLine, WorkerExitCode.Normal);

    [DoesNotReturn]
    public void EndTooSlow()
    {
        var detail = $"client is not reading: {Client.Queued} bytes queued, the limit is {_args.SendQueueBytes} (--send-queue), " +
                     $"and it took nothing for {_args.SlowConsumerTimeout.TotalSeconds:0} s (--slow-consumer-timeout); " +
                     $"it took {Client.BytesSent} bytes in all, the last {Environment.TickCount64 - Client.LastProgress} ms ago";
        throw new SessionEnd(LeaveReason.TooSlow, detail, SessionEnds.NotReadingLine, WorkerExitCode.Normal);
    }

    [DoesNotReturn]
    public void EndRoomGone() => throw SessionEnd.SupervisorGone();

    /// <summary>The socket is readable (or hung up): one read, then its lines.</summary>
    public void OnClientReadable(TimeSpan now)
    {
        var received = _socket.Receive(Input.ReadBuffer);
        if (received == LoopSocket.WouldBlock)
        {
            return;
        }

        if (received == LoopSocket.Failed)
        {
            EndSession(LeaveReason.ConnectionError, Irc is null ? $"connection failed: {_socket.LastError}" : $"Read error: {_socket.LastError}", null);
        }

        if (received == 0)
        {
            Input.FeedRemainder(_handler);
            EndSession(LeaveReason.ClientClosed, Irc is null ? "client closed the connection" : "Remote host closed the connection", null);
        }

        _lastHeard = now;
        _ping?.Heard(Environment.TickCount64);
        Input.Received(received);
        Input.Pump(_handler, this, now);
    }

    /// <summary>A frame from the supervisor while serving.</summary>
    public void OnFrame(Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.Line:
                var reader = frame.Reader();
                EnqueueRoomLine(reader.ReadInt64(), reader.ReadRest());
                break;
            case FrameType.Shutdown:
                var text = frame.Reader().ReadRestUtf8();
                EndSession(LeaveReason.Shutdown, "server shutdown", text);
                break;
            case FrameType.IrcNick when Irc is not null:
                Irc.OnServerNick(frame.Reader().ReadRestUtf8());
                break;
            case FrameType.IrcClose when Irc is not null:
                Irc.OnServerClose(frame.Reader().ReadRestUtf8());
                break;
            default:
                throw new ProtocolException($"The supervisor sent an unexpected {frame.Type} frame.");
        }
    }

    /// <summary>
    /// A line the room sent on the pipe (<c>Line</c>, or with <c>--fanout shm</c> a <c>RingLine</c> for this client
    /// alone), into the client's queue after checking the room's order.
    /// </summary>
    public void EnqueueRoomLine(long sequence, ReadOnlySpan<byte> line)
    {
        if (sequence <= _lastSequence)
        {
            // The room numbers every line it sends; going backwards would mean lost or reordered output.
            WorkerLog.Error($"line {sequence} arrived after line {_lastSequence}: the room's order is broken");
        }

        _lastSequence = sequence;
        Client.EnqueueLine(line);
    }

    /// <summary>
    /// Acts on every deadline that has passed (held lines may go on; the line timeout, the idle timeout, IRC's ping,
    /// a client that takes nothing while over its queue) and returns how long the loop may wait for the next one, in
    /// milliseconds (-1: no deadline).
    /// </summary>
    public int OnDeadlines(TimeSpan now)
    {
        if (Input.IsHeld && now >= Input.HeldUntil)
        {
            Input.Pump(_handler, this, now);
        }

        var next = TimeSpan.MaxValue;
        if (Input.IsHeld)
        {
            next = Min(next, Input.HeldUntil);
        }

        if (Input.LineDeadline is { } line)
        {
            if (now >= line)
            {
                SessionEnds.LineTimeout(this, _args.LineTimeout);
            }

            next = Min(next, line);
        }

        if (_idleTimeout > TimeSpan.Zero && !Input.IsHeld)
        {
            var idle = _lastHeard + _idleTimeout;
            if (now >= idle)
            {
                SessionEnds.Idle(this, _idleTimeout);
            }

            next = Min(next, idle);
        }

        if (_ping is not null)
        {
            var ms = Environment.TickCount64;
            switch (_ping.Due(ms))
            {
                case IrcPingAction.SendPing:
                    Irc!.SendPing();
                    break;
                case IrcPingAction.TimedOut:
                    var why = $"Ping timeout: {_ping.TotalSeconds} seconds";
                    EndSession(LeaveReason.Idle, why, IrcLine.ClosingLink(Irc!.ClientHost, why));
                    break;
            }

            next = Min(next, now + _ping.WaitFrom(ms));
        }

        var waitMs = next == TimeSpan.MaxValue ? -1L : (long)Math.Ceiling((next - now).TotalMilliseconds);
        var stallMs = SlowConsumerWait();
        if (stallMs >= 0 && (waitMs < 0 || stallMs < waitMs))
        {
            waitMs = stallMs;
        }

        return (int)Math.Clamp(waitMs, -1, int.MaxValue);
    }

    // Over --send-queue the pipe is not read; a client that has taken nothing at all for --slow-consumer-timeout is
    // cut off. Counted from the last bytes it took, not from when the queue went over: every line is offered to the
    // client the moment it is queued, so a client that takes nothing has been stuck since then, and the worker must
    // see it before the supervisor, whose clock for the same timeout starts only when this pipe stops being read.
    private long SlowConsumerWait()
    {
        if (!Client.IsOverLimit)
        {
            return -1;
        }

        var left = Client.LastProgress + (long)_args.SlowConsumerTimeout.TotalMilliseconds - Environment.TickCount64;
        if (left <= 0)
        {
            EndTooSlow();
        }

        return left;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

using System.Runtime.Versioning;
using System.Text;
using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Sessions;

namespace ChatFork.Worker.Loop;

/// <summary>
/// The worker as a C worker would be written: one thread, one wait over two handles, the client's socket and the pipe
/// to the supervisor (<see cref="LoopWait"/>: <c>poll</c> on Linux, <c>WaitForMultipleObjects</c> on Windows). Its
/// threads are its own and the runtime's (on Linux the finalizer alone); no pipe-reader thread, no client-writer
/// thread, no thread pool, no timers, no signal-handling thread. What differs by OS is in <c>src/Shared/Platform</c>'s
/// <c>Loop*.Unix.cs</c> and <c>Loop*.Windows.cs</c>; this file is the same on both.
/// </summary>
/// <remarks>
/// <para>Its life: tie itself to the supervisor (<see cref="LoopParent"/>), attach (the secret from standard input,
/// the pipe, Hello), then wait in the pool for a <c>Handoff</c> (<see cref="WaitForClient"/>), serve the client
/// (<see cref="Serve"/>), close it (<see cref="Close"/>), and exit; or, with <c>--reusable</c> and a session that ended
/// cleanly, say <c>Recycled</c> and wait in the pool again with a new, empty <see cref="LoopSession"/>.</para>
/// <para>Flow control, both ways, without ever blocking in a write: frames toward the supervisor wait in the
/// <see cref="SupervisorOutbox"/> and are written when the pipe is writable; past its high-water mark the client is
/// not read (TCP slows it). Lines toward the client wait in the <see cref="ClientOutbox"/>; past <c>--send-queue</c>
/// the pipe is not read (the supervisor's queue grows, the room slows the senders); a client that takes nothing for
/// <c>--slow-consumer-timeout</c> meanwhile is cut off. Every limit is a deadline in <c>poll</c>'s timeout.</para>
/// <para>With <c>--fanout shm</c> the room's broadcasts come from a ring in shared memory (<see cref="LoopRing"/>),
/// still with no thread: after each batch of frames the loop drains the ring into the same client queue (not past
/// <c>--send-queue</c>), publishes its position in its cursor page, and polls with timeout 0 while the ring has more;
/// caught up, it raises its sleeping flag and blocks, and the supervisor's <c>Doorbell</c> on the pipe wakes it.</para>
/// </remarks>
[SupportedOSPlatform("linux")]
[SupportedOSPlatform("windows")]
internal sealed class WorkerLoop
{
    private static readonly TimeSpan s_attachTimeout = TimeSpan.FromSeconds(10);
    private const int FlushTimeoutMilliseconds = 2000;
    private const int DrainMilliseconds = 500;
    private const int DrainBudgetBytes = 1024 * 1024;

    private readonly WorkerArguments _args;
    private readonly FrameDecoder _decoder = new(FrameHeader.DefaultMaxLength, FrameTypes.IsFromSupervisor);
    private readonly LoopRing _ring = new();
    private LoopPipe _pipe = null!;
    private SupervisorOutbox _link = null!;
    private bool _pipeClosed;
    private bool _shutdownAsked;

    public WorkerLoop(WorkerArguments args)
    {
        _args = args;
    }

    public int Run()
    {
        try
        {
            LoopParent.IgnoreInterrupt();
            LoopParent.DieWithSupervisor(true, _args.SupervisorProcessId);
        }
        catch (ChatForkException e)
        {
            WorkerLog.Error(e.Message);
            return (int)WorkerExitCode.SupervisorGone;
        }

        if (!Attach())
        {
            return (int)WorkerExitCode.AttachFailed;
        }

        using var _ = _pipe;
        var recycled = false;
        while (true)
        {
            LoopSocket? socket;
            try
            {
                socket = WaitForClient(recycled);
            }
            catch (ChatForkException e)
            {
                WorkerLog.Error($"no connection was handed over: {e.Message}");
                return (int)WorkerExitCode.AttachFailed;
            }

            if (socket is null)
            {
                return (int)(_pipeClosed ? WorkerExitCode.SupervisorGone : WorkerExitCode.Normal); // an idle worker told to go
            }

            var session = new LoopSession(_args, socket, _link, SessionClock.Now);
            _ring.Begin(session);
            _link.AppendEmpty(FrameType.Ready);
            var end = Serve(session);
            var exitCode = Close(session, end);
            _ring.End();
            if (!_args.Reusable || !end.IsClean || _shutdownAsked || _pipeClosed || !_link.IsAlive)
            {
                return (int)exitCode;
            }

            // Clean, and reusable: back to the pool, with no trace of this client but what the runtime's heap keeps
            // until the next collection (the next session is a new LoopSession; the decoder is the pipe's).
            _link.AppendEmpty(FrameType.Recycled);
            try
            {
                LoopParent.DieWithSupervisor(true, _args.SupervisorProcessId);
            }
            catch (ChatForkException e)
            {
                WorkerLog.Error(e.Message);
                return (int)WorkerExitCode.SupervisorGone;
            }

            recycled = true;
        }
    }

    private bool Attach()
    {
        byte[] secret;
        try
        {
            secret = SecretReader.Read();
        }
        catch (FormatException e)
        {
            WorkerLog.Error(e.Message);
            return false;
        }

        // The supervisor listens on its socket before it starts the worker, so a connect succeeds or fails at once;
        // a refused one is tried again for a moment, as NamedPipeClientStream.Connect would.
        var deadline = Environment.TickCount64 + (long)s_attachTimeout.TotalMilliseconds;
        while (true)
        {
            try
            {
                _pipe = LoopPipe.Connect(_args.PipeName, _args.SupervisorProcessId);
                break;
            }
            catch (ChatForkException e)
            {
                if (Environment.TickCount64 >= deadline || !LoopPipe.MayConnectLater(_args.PipeName))
                {
                    WorkerLog.Error($"could not connect to the supervisor's pipe {_args.PipeName}: {e.Message}");
                    return false;
                }

                Thread.Sleep(10);
            }
        }

        _link = new SupervisorOutbox(_pipe);
        WorkerLog.Attach(_link);
        _link.Append(new HelloMessage(Environment.ProcessId, secret).WriteTo);
        _link.Flush();
        return true;
    }

    /// <summary>
    /// In the pool: waits for the <c>Handoff</c> (with its descriptor) or a <c>Shutdown</c> (null). A recycled worker
    /// skips the room's lines still in flight for the client it served before; a fresh one has had none.
    /// </summary>
    private LoopSocket? WaitForClient(bool recycled)
    {
        using var received = new ReceivedDescriptor();
        while (true)
        {
            while (_decoder.TryReadFrame(out var frame))
            {
                switch (frame.Type)
                {
                    case FrameType.Handoff:
                        var socket = LoopPipe.Rebuild(HandoffMessage.Read(frame), received);
                        try
                        {
                            LoopParent.DieWithSupervisor(false, _args.SupervisorProcessId);
                        }
                        catch (ChatForkException)
                        {
                            _pipeClosed = true; // the supervisor died just now; Serve tells the client
                        }

                        return socket;
                    case FrameType.Shutdown:
                        return null;
                    case FrameType.RingAttach:
                        // --fanout shm: the room's ring and this worker's cursor page, mapped while it waits in the
                        // pool; each memfd came with its frame's bytes, as the socket does with the hand-off's.
                        _ring.Attach(frame, received);
                        break;
                    case FrameType.Doorbell:
                        break; // rung for the member this worker was (a recycled one) or the flag's old value: moot
                    case FrameType.Line or FrameType.RingLine or FrameType.IrcNick or FrameType.IrcClose when recycled:
                        break;
                    default:
                        throw new ProtocolException($"The supervisor sent {frame.Type} before handing over a connection.");
                }
            }

            LoopWait.Wait(null, 0, _pipe, (short)(LoopWait.In | (_link.Pending > 0 ? LoopWait.Out : 0)), -1, out _, out var ready);
            if ((ready & LoopWait.Out) != 0)
            {
                _link.Flush();
            }

            if ((ready & (LoopWait.In | LoopWait.Gone)) != 0)
            {
                var count = _pipe.Receive(_decoder.GetReadBuffer().Span, received);
                if (count == 0)
                {
                    throw new ChatForkException("The supervisor closed the pipe before handing over a connection.");
                }

                if (count > 0)
                {
                    _decoder.Advance(count);
                }
            }

            if (!_link.IsAlive)
            {
                throw new ChatForkException("The supervisor's pipe broke before it handed over a connection.");
            }
        }
    }

    /// <summary>Serves the client until the session ends; returns how it ended.</summary>
    private SessionEnd Serve(LoopSession session)
    {
        var client = session.Client;
        try
        {
            if (_pipeClosed)
            {
                throw SessionEnd.SupervisorGone();
            }

            _link.Flush();
            while (true)
            {
                // Every frame read goes to the client's queue at once, so the queue overshoots its limit by at most
                // one read: the pipe is read again as soon as the client takes anything and the queue is back under
                // it, and the supervisor sees this pipe move as long as the client does (else it would drop a worker
                // whose client is slow but not stuck, before the worker's own --slow-consumer-timeout).
                var framed = false;
                while (_decoder.TryReadFrame(out var frame))
                {
                    if (!_ring.OnFrame(frame))
                    {
                        session.OnFrame(frame);
                    }

                    framed = true;
                }

                // --fanout shm: the ring after each batch, into the same queue, within --send-queue.
                framed |= _ring.Drain() > 0;

                // Sent at once when there is something new; else only when poll says the socket is writable: a
                // send tried on every turn would squeeze a few bytes into a closed window now and then and count
                // as progress for a client that is stuck.
                if (framed)
                {
                    client.Send();
                }

                if (client.Failed)
                {
                    session.EndSession(LeaveReason.ConnectionError, "connection failed: the client's socket took no more bytes", null);
                }

                // After the frames and the sends: they decide whether the client's queue is over its limit.
                var timeout = session.OnDeadlines(SessionClock.Now);
                if (!_ring.MayBlock())
                {
                    timeout = 0; // more in the ring (or a line came as the loop was about to sleep): look, then read on
                }

                var readClient = session.WantsInput && !_link.IsOverHighWater;
                var clientEvents = (short)((readClient ? LoopWait.In : 0) | (client.Queued > 0 ? LoopWait.Out : 0));
                var readPipe = !client.IsOverLimit;
                var pipeEvents = (short)((readPipe ? LoopWait.In : 0) | (_link.Pending > 0 ? LoopWait.Out : 0));
                LoopWait.Wait(session.Socket, clientEvents, _pipe, pipeEvents, timeout, out var clientReady, out var pipeReady);

                if ((pipeReady & LoopWait.Out) != 0 && !_link.Flush())
                {
                    throw SessionEnd.SupervisorGone();
                }

                if ((pipeReady & LoopWait.In) != 0 || (pipeReady & LoopWait.Gone) != 0)
                {
                    // Not reading (the client's queue is full) and hung up: the supervisor is gone; what it sent is moot.
                    if (!readPipe || !ReadPipe())
                    {
                        throw SessionEnd.SupervisorGone();
                    }
                }

                if ((clientReady & LoopWait.Out) != 0)
                {
                    client.Send();
                }

                if ((clientReady & (LoopWait.In | LoopWait.Gone)) != 0)
                {
                    if (readClient)
                    {
                        session.OnClientReadable(SessionClock.Now);
                    }
                    else if ((clientReady & LoopWait.Gone) != 0)
                    {
                        // Reset or shut down both ways while its input was held back: nothing can reach it now.
                        session.EndSession(LeaveReason.ConnectionError, "connection failed: the client's connection was reset", null);
                    }
                }

                if (!_link.IsAlive)
                {
                    throw SessionEnd.SupervisorGone();
                }
            }
        }
        catch (SessionEnd end)
        {
            return end;
        }
        catch (ProtocolException e)
        {
            WorkerLog.Error(e.Message);
            return new SessionEnd(LeaveReason.Shutdown, e.Message, "* internal error; disconnecting", WorkerExitCode.Failed);
        }
        catch (ChatForkException)
        {
            // The pipe failed under a read (a reset): the supervisor is gone.
            return SessionEnd.SupervisorGone();
        }
    }

    /// <summary>One read from the pipe into the decoder. False at end of file: the supervisor is gone.</summary>
    private bool ReadPipe()
    {
        using var received = new ReceivedDescriptor();
        var count = _pipe.Receive(_decoder.GetReadBuffer().Span, received);
        if (received.HasValue)
        {
            throw new ProtocolException("The supervisor sent a descriptor to a worker that is serving a client already.");
        }

        if (count == 0)
        {
            _pipeClosed = true;
            return false;
        }

        if (count > 0)
        {
            _decoder.Advance(count);
        }

        return true;
    }

    /// <summary>
    /// Ends the session: says why on the pipe, writes the client's last line and closes it properly (or aborts a
    /// client that does not read), all in this loop; returns the exit code.
    /// </summary>
    private WorkerExitCode Close(LoopSession session, SessionEnd end)
    {
        if (end.ExitCode == WorkerExitCode.SupervisorGone)
        {
            _pipeClosed = true;
        }

        var lastLine = session.Irc?.ClosingLine(end.LastLine) ?? end.LastLine;
        if (end.Reason is LeaveReason.LineTooLong or LeaveReason.TooSlow or LeaveReason.LineTimeout or LeaveReason.Flood or LeaveReason.BadInput)
        {
            WorkerLog.Warn($"{end.Detail}; disconnecting it");
        }

        if (!_pipeClosed && _link.IsAlive)
        {
            _link.SendLeaving(new LeavingMessage(end.Reason, end.Detail));
        }

        if (end.Reason == LeaveReason.TooSlow)
        {
            session.Client.Abort(lastLine);
        }
        else
        {
            CloseGracefully(session, lastLine);
        }

        // What is left for the supervisor (Leaving, a last log line) goes before the exit or the Recycled.
        var deadline = Environment.TickCount64 + FlushTimeoutMilliseconds;
        while (!_pipeClosed && _link.IsAlive && _link.Pending > 0 && Environment.TickCount64 < deadline)
        {
            WaitWhileClosing(null, 0, deadline);
        }

        return end.ExitCode;
    }

    // Sends what is queued plus the last line, waits for it to leave (at most the flush timeout), then: shutdown for
    // sending (the client sees EOF after the last line), a short drain of what the client still sends (so the kernel
    // answers with FIN rather than RST, which could destroy the last line in flight), close.
    private void CloseGracefully(LoopSession session, string? lastLine)
    {
        var client = session.Client;
        if (lastLine is not null)
        {
            client.EnqueueLine(Encoding.UTF8.GetBytes(lastLine));
        }

        client.Send();
        var socket = session.Socket;
        var deadline = Environment.TickCount64 + FlushTimeoutMilliseconds;
        while (client.Queued > 0 && !client.Failed && Environment.TickCount64 < deadline)
        {
            WaitWhileClosing(socket, LoopWait.Out, deadline);
            client.Send();
        }

        if (client.Queued > 0)
        {
            client.Abort(null); // the client would not take its last lines in time
            return;
        }

        socket.Shutdown(both: false);
        Span<byte> scratch = stackalloc byte[4096];
        var budget = DrainBudgetBytes;
        var drainUntil = Environment.TickCount64 + DrainMilliseconds;
        while (budget > 0 && Environment.TickCount64 < drainUntil)
        {
            var ready = WaitWhileClosing(socket, LoopWait.In, drainUntil);
            if ((ready & (LoopWait.In | LoopWait.Gone)) == 0)
            {
                continue;
            }

            var n = socket.Receive(scratch);
            if (n == 0 || n == LoopSocket.Failed)
            {
                break; // end of stream or a reset: the client has gone
            }

            budget -= Math.Max(n, 0);
        }

        socket.Close();
    }

    // One wait while closing: the client for what the caller asks, and the pipe, so that the Leaving frame gets out
    // and the supervisor's lines in flight are taken (and dropped: the client is leaving). A Shutdown among them
    // means no reuse. Returns the client's events.
    private short WaitWhileClosing(LoopSocket? client, short clientEvents, long deadline)
    {
        var timeout = (int)Math.Max(0, deadline - Environment.TickCount64);
        var pipe = _pipeClosed ? null : _pipe;
        var pipeEvents = (short)(LoopWait.In | (_link.Pending > 0 ? LoopWait.Out : 0));
        LoopWait.Wait(client, clientEvents, pipe, pipeEvents, timeout, out var clientReady, out var pipeReady);
        if ((pipeReady & LoopWait.Out) != 0)
        {
            _link.Flush();
        }

        if ((pipeReady & (LoopWait.In | LoopWait.Gone)) != 0)
        {
            try
            {
                if (ReadPipe())
                {
                    while (_decoder.TryReadFrame(out var frame))
                    {
                        _shutdownAsked |= frame.Type == FrameType.Shutdown;
                    }
                }
            }
            catch (ChatForkException)
            {
                _pipeClosed = true;
            }
        }

        return clientReady;
    }
}

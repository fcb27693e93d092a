using System.Diagnostics.CodeAnalysis;
using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using ChatFork.Fanout;
using ChatFork.Irc;
using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Sessions;
using ChatFork.Worker.Irc;

namespace ChatFork.Worker;

/// <summary>
/// One worker: the child half of ChatFork's fork() emulation. In order, it
/// <list type="number">
/// <item>ties its life to the supervisor's (PR_SET_PDEATHSIG / Job object; see <see cref="IProcessLifetime"/>),</item>
/// <item>reads its secret from standard input (so it never shows in <c>ps</c>), connects to the named pipe the
///   supervisor made for it and says hello,</item>
/// <item>waits, idle, until the supervisor hands it a client socket (at once, or much later for a pooled worker),</item>
/// <item>serves that one client until it leaves, then exits. One process, one client, one life.</item>
/// </list>
/// Threads: the main thread reads the client, the pipe reader thread reads the supervisor, the client's writer
/// thread writes to the client. Whichever sees the end first calls <see cref="End"/>, which says why on the pipe,
/// closes the client properly and exits the process.
/// </summary>
// CA1001: the ring's mapping (_ring) lives as long as the process; the process ends with Environment.Exit, never by
// disposing this.
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "Lives as long as the process.")]
internal sealed class WorkerProcess : ISessionControl
{
    private static readonly TimeSpan s_flushTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_attachTimeout = TimeSpan.FromSeconds(10);

    private readonly WorkerArguments _args;
    private SupervisorLink? _link;
    private ClientConnection? _client;
    private IrcSession? _irc;
    private RingFeed? _ring;
    private readonly RingAttachment _ringAttachment = new();
    private int _ending;

    public WorkerProcess(WorkerArguments args)
    {
        _args = args;
    }

    public int Run()
    {
        if (Platform.LoopPlatform.HasPollLoop)
        {
            // Linux: the single-threaded worker (Loop/WorkerLoop.cs). What follows is the threaded one, still
            // Windows' (and so the Wine run's): its wait is not written for WaitForMultipleObjects yet.
            return new Loop.WorkerLoop(_args).Run();
        }

        // Ctrl+C in a terminal signals the whole process group, workers included. The supervisor handles it and
        // shuts down in order (each worker gets a Shutdown frame); a worker must not die of it on its own.
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        IDisposable parentWatch;
        try
        {
            // On Linux PR_SET_PDEATHSIG delivers SIGHUP when the supervisor dies; it ends the session like a server exit.
            parentWatch = CurrentPlatform.Lifetime.BindToParent(_args.SupervisorProcessId, EndSupervisorGone);
        }
        catch (ChatForkException e)
        {
            WorkerLog.Error(e.Message);
            return (int)WorkerExitCode.SupervisorGone;
        }

        using var _ = parentWatch;

        var pipe = Attach();
        if (pipe is null)
        {
            return (int)WorkerExitCode.AttachFailed;
        }

        var decoder = new FrameDecoder(FrameHeader.DefaultMaxLength, FrameTypes.IsFromSupervisor);
        // The pipe reader thread is started now, while the worker waits in the pool, so that creating it costs the
        // client nothing. It must not touch the pipe before the hand-off frame has been read with recvmsg (a plain
        // read would throw the socket's descriptor away), so it waits for the word.
        var handedOff = new ManualResetEventSlim(); // not disposed: the thread may still wait on it as the process exits
        new Thread(() =>
        {
            handedOff.Wait();
            ReadPipe(pipe, decoder);
        })
        { IsBackground = true, Name = "pipe reader" }.Start();

        Socket? socket;
        HandoffMessage? handoff;
        try
        {
            // --fanout shm: the room's ring and this worker's cursor page arrive first, while it waits in the pool.
            socket = CurrentPlatform.HandOff.Receive(pipe, decoder, out handoff, AttachRing);
        }
        catch (ChatForkException e)
        {
            WorkerLog.Error($"no connection was handed over: {e.Message}");
            return (int)WorkerExitCode.AttachFailed;
        }

        if (socket is null || handoff is null)
        {
            return (int)WorkerExitCode.Normal; // an idle worker told to go
        }

        _client = new ClientConnection(socket, _args.SendQueueBytes);
        if (_args.Irc is { } ircSettings)
        {
            // Before the pipe reader starts: the supervisor's IRC frames are for this session.
            _irc = new IrcSession(this, _client, new IrcLink(_link!), ircSettings, (socket.RemoteEndPoint as System.Net.IPEndPoint)?.Address.ToString() ?? "unknown");
        }

        handedOff.Set();
        _link!.AppendEmpty(FrameType.Ready);
        if (!_link.Flush())
        {
            EndSupervisorGone();
        }

        if (_irc is not null)
        {
            IrcSessionLoop.Run(_client, _irc, this, _args.MaxLineBytes, _args.Irc!);
            return (int)WorkerExitCode.Normal; // not reached
        }

        ILineHandler handler = _args.Mode == WorkerMode.Echo
            ? new EchoLineHandler(this, _client)
            : new ChatLineHandler(this, _client, _link, _args.AllowCrash);
        // The rate limit is for chat lines; echo mode is the lab's and the benchmark's, and echoes at full speed.
        var limits = new SessionLimits(_args.MaxLineBytes, _args.IdleTimeout, _args.LineTimeout,
            _args.Mode == WorkerMode.Chat ? _args.LineRate : 0, _args.LineBurst, _args.FloodTimeout);
        BlockingSession.Run(_client, handler, this, limits);
        return (int)WorkerExitCode.Normal; // not reached: the session ends the process
    }

    /// <summary>Ends the session and the process. The first caller wins; any other blocks until the exit.</summary>
    [DoesNotReturn]
    public void EndSession(LeaveReason reason, string detail, string? lastLine) => EndSession(reason, detail, lastLine, WorkerExitCode.Normal);

    [DoesNotReturn]
    private void EndSession(LeaveReason reason, string detail, string? lastLine, WorkerExitCode exitCode)
    {
        if (Interlocked.Exchange(ref _ending, 1) != 0)
        {
            Thread.Sleep(Timeout.Infinite);
        }

        lastLine = _irc?.ClosingLine(lastLine) ?? lastLine;
        if (reason is LeaveReason.LineTooLong or LeaveReason.TooSlow or LeaveReason.LineTimeout or LeaveReason.Flood or LeaveReason.BadInput)
        {
            WorkerLog.Warn($"{detail}; disconnecting it");
        }

        if (exitCode != WorkerExitCode.SupervisorGone && _link is { IsAlive: true })
        {
            _link.SendLeaving(new LeavingMessage(reason, detail));
        }

        if (reason == LeaveReason.TooSlow)
        {
            _client?.Abort(lastLine);
        }
        else
        {
            _client?.CloseGracefully(lastLine, s_flushTimeout);
        }

        Environment.Exit((int)exitCode);
    }

    [DoesNotReturn]
    public void EndTooSlow()
    {
        var client = _client!;
        var detail = $"client is not reading: {client.Queued} bytes queued, the limit is {_args.SendQueueBytes} (--send-queue), " +
                     $"and it took nothing for {_args.SlowConsumerTimeout.TotalSeconds:0} s (--slow-consumer-timeout); " +
                     $"it took {client.BytesSent} bytes in all, the last {client.SinceLastProgress.TotalMilliseconds:0} ms ago";
        EndSession(LeaveReason.TooSlow, detail, SessionEnds.NotReadingLine);
    }

    [DoesNotReturn]
    public void EndRoomGone() => EndSupervisorGone();

    [DoesNotReturn]
    private void EndSupervisorGone() =>
        EndSession(LeaveReason.Shutdown, "supervisor went away", "* server went away", WorkerExitCode.SupervisorGone);

    private NamedPipeClientStream? Attach()
    {
        byte[] secret;
        try
        {
            secret = SecretReader.Read();
        }
        catch (FormatException e)
        {
            WorkerLog.Error(e.Message);
            return null;
        }

        // Asynchronous (FILE_FLAG_OVERLAPPED on Windows) although every call on it is synchronous: after the hand-off
        // the pipe reader thread sits in Read while other threads Write (Ready, each chat line, Leaving). Windows
        // serialises I/O on a handle opened for synchronous I/O, so each Write would wait until the supervisor next
        // sent something down this pipe: lines would stall and an echo worker would never get its Leaving out
        // (dotnet/runtime#72526 shows the same hang for named pipes opened with PipeOptions.None). An overlapped handle
        // lets a read and a write be in flight at once. Fixed by reasoning only: Wine does not serialise synchronous
        // pipe I/O, so no test here can show the hang; on Unix the pipe is a socket and the flag changes nothing.
        var pipe = new NamedPipeClientStream(".", _args.PipeName, PipeDirection.InOut, PipeOptions.Asynchronous | PipeOptions.CurrentUserOnly);
        try
        {
            pipe.Connect(s_attachTimeout);
        }
        catch (Exception e) when (e is TimeoutException or IOException or UnauthorizedAccessException)
        {
            WorkerLog.Error($"could not connect to the supervisor's pipe {_args.PipeName}: {e.Message}");
            pipe.Dispose();
            return null;
        }

        _link = new SupervisorLink(pipe);
        WorkerLog.Attach(_link);
        _link.SendHello(new HelloMessage(Environment.ProcessId, secret));
        return pipe;
    }

    // Two RingAttach frames, each with its memfd on Linux: the ring (read-only) and the cursor page (read-write).
    private void AttachRing(Frame frame, ReceivedDescriptor received)
    {
        _ringAttachment.Add(frame, received);
        _ring = _ringAttachment.Feed;
    }

    private void ReadPipe(PipeStream pipe, FrameDecoder decoder)
    {
        var client = _client!;
        long lastSequence = 0;
        var ring = _ring;
        var ringLines = 0;
        // --fanout shm: lines from the ring, and lines for this client alone from the pipe (RingLine), each stream in
        // the room's order (RingReader checks the ring's; the pipe's are checked here).
        RingLineSink fromRing = (_, line) =>
        {
            client.EnqueueLine(line);
            ringLines++;
        };
        RingLineSink fromPipe = (sequence, line) =>
        {
            if (sequence <= lastSequence)
            {
                WorkerLog.Error($"line {sequence} arrived after line {lastSequence}: the room's order is broken");
            }

            lastSequence = sequence;
            client.EnqueueLine(line);
            ringLines++;
        };
        try
        {
            while (true)
            {
                var wrote = false;
                while (decoder.TryReadFrame(out var frame))
                {
                    switch (frame.Type)
                    {
                        case FrameType.RingJoin when ring is not null:
                            ring.OnJoin(frame);
                            break;
                        case FrameType.RingLine when ring is not null:
                            ring.OnLine(frame, fromPipe);
                            break;
                        case FrameType.Doorbell when ring is not null:
                            RingFeed.OnDoorbell();
                            break;
                        case FrameType.Line:
                            var reader = frame.Reader();
                            var sequence = reader.ReadInt64();
                            if (sequence <= lastSequence)
                            {
                                // The room numbers every line it sends; going backwards would mean lost or reordered output.
                                WorkerLog.Error($"line {sequence} arrived after line {lastSequence}: the room's order is broken");
                            }

                            lastSequence = sequence;
                            client.EnqueueLine(reader.ReadRest());
                            wrote = true;
                            break;
                        case FrameType.Shutdown:
                            var text = frame.Reader().ReadRestUtf8();
                            client.Commit();
                            EndSession(LeaveReason.Shutdown, "server shutdown", text);
                            break;
                        case FrameType.IrcNick when _irc is not null:
                            _irc.OnServerNick(frame.Reader().ReadRestUtf8());
                            break;
                        case FrameType.IrcClose when _irc is not null:
                            var reason = frame.Reader().ReadRestUtf8();
                            client.Commit();
                            _irc.OnServerClose(reason);
                            break;
                        default:
                            throw new ProtocolException($"The supervisor sent an unexpected {frame.Type} frame.");
                    }
                }

                if (ring is not null)
                {
                    // Bounded per turn, so the pipe is looked at between runs of ring lines and the client's queue
                    // is checked (WaitForRoom) at least every 64 KiB.
                    ring.Drain(fromRing, 64 * 1024);
                    wrote |= ringLines > 0;
                    ringLines = 0;
                }

                if (wrote)
                {
                    client.Commit();
                    // Past --send-queue, stop reading the pipe until the client catches up: the supervisor's queue
                    // toward this worker grows instead, and the room slows the senders (flow control). Only a client
                    // that takes nothing at all for --slow-consumer-timeout is cut off.
                    if (!client.WaitForRoom(_args.SlowConsumerTimeout))
                    {
                        EndTooSlow();
                    }
                }

                if (ring is not null)
                {
                    ring.Publish(); // into the cursor page: the supervisor's flow control reads it there
                    if (!ring.CaughtUp)
                    {
                        if (!PipeReadiness.HasData(pipe))
                        {
                            continue; // more in the ring, nothing on the pipe: read on without waiting
                        }
                    }
                    else if (!ring.TrySleep())
                    {
                        continue; // a line came as it was about to sleep
                    }
                }

                var received = pipe.Read(decoder.GetReadBuffer().Span);
                if (received == 0)
                {
                    EndSupervisorGone();
                }

                decoder.Advance(received);
            }
        }
        catch (IOException)
        {
            EndSupervisorGone();
        }
        catch (ProtocolException e)
        {
            WorkerLog.Error(e.Message);
            EndSession(LeaveReason.Shutdown, e.Message, "* internal error; disconnecting", WorkerExitCode.Failed);
        }
    }
}

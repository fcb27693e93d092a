using System.Diagnostics;
using System.Security.Cryptography;
using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Supervisor.Logging;
using ChatFork.Supervisor.Room;
using NLog;

namespace ChatFork.Supervisor;

/// <summary>
/// Brings connections and workers together: admits or refuses each accepted connection, checks each new worker's
/// pipe and hello, and performs the hand-off, the moment a socket leaves the supervisor for good.
/// </summary>
internal sealed class ConnectionDispatcher
{
    private static readonly Logger s_log = LogManager.GetLogger("dispatch");

    private readonly ServerSettings _settings;
    private readonly WorkerRegistry _registry;
    private readonly WorkerLauncher _launcher;
    private readonly IProcessPlatform _platform;
    private readonly ChatRoom? _room;
    private readonly RefusalLog _refusals = new(s_log);

    public ConnectionDispatcher(ServerSettings settings, WorkerRegistry registry, WorkerLauncher launcher, IProcessPlatform platform, ChatRoom? room)
    {
        _settings = settings;
        _registry = registry;
        _launcher = launcher;
        _platform = platform;
        _room = room;
    }

    /// <summary>A connection was accepted (on the accept thread). Never blocks for long.</summary>
    public void Accepted(PendingConnection connection)
    {
        var result = _registry.Admit(connection);
        switch (result.Outcome)
        {
            case AdmitOutcome.Assigned:
                HandOff(result.Worker!, connection);
                _launcher.Nudge(); // the pool is one short now
                break;
            case AdmitOutcome.Queued:
                _launcher.Nudge();
                break;
            default:
                Warn(result.Refusal!, $"refused connection {connection.Id} from {connection.PeerText}: {result.Refusal![2..]}");
                Refusal.Send(connection.Socket, result.Refusal);
                break;
        }
    }

    /// <summary>Waits for a new worker to connect to its pipe and prove who it is; then gives it work or pools it.</summary>
    public async Task AttachAsync(WorkerSlot slot)
    {
        var decoder = new FrameDecoder(_settings.MaxWorkerFrame, FrameTypes.IsFromWorker, initialCapacity: 1024);
        using (var timeout = new CancellationTokenSource(_settings.AttachTimeout))
        {
            try
            {
                await slot.Pipe.WaitForConnectionAsync(timeout.Token);
                ForgetPipeName(slot);
                // Belt and braces: the pipe is CurrentUserOnly, the peer must be the very process we started, and
                // it must know the secret we gave that process.
                if (_platform.GetPipePeerProcessId(slot.Pipe) is { } peer && peer != slot.ProcessId)
                {
                    s_log.Warn($"process {peer}, not worker {slot.ProcessId}, connected to that worker's pipe; dropping the connection and the worker");
                    slot.Kill($"another process (pid {peer}) took its pipe", misbehaved: true);
                    return;
                }

                var hello = await ReadHelloAsync(slot.Pipe, decoder, timeout.Token);
                if (hello.ProcessId != slot.ProcessId || !CryptographicOperations.FixedTimeEquals(hello.Secret, slot.Secret))
                {
                    s_log.Warn($"the peer on worker {slot.ProcessId}'s pipe said it was pid {hello.ProcessId} with a wrong secret; dropping it and the worker");
                    slot.Kill("a peer on its pipe failed the secret check", misbehaved: true);
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                s_log.Warn($"worker {slot.ProcessId} did not attach within {_settings.AttachTimeout.TotalSeconds:0} s (--attach-timeout); killing it");
                slot.Kill("it did not attach in time", misbehaved: true);
                return;
            }
            catch (ProtocolException e)
            {
                s_log.Warn($"worker {slot.ProcessId} broke the protocol while attaching: {e.Message} Killing it.");
                slot.Kill("it broke the protocol while attaching", misbehaved: true);
                return;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                slot.Kill("its pipe failed while attaching");
                return; // it died; the reaper tells the rest
            }
        }

        // Only a worker that has taken a client and said Ready counts as a success that ends a back-off: one that
        // attaches and then breaks the rules must not reset it.
        var channel = new WorkerChannel(slot, decoder, _room, _platform, _settings.WorkerQueue, _launcher.ReportSuccess);
        slot.Channel = channel;
        channel.Start();
        s_log.Debug($"worker {slot.ProcessId} attached");

        var connection = _registry.Attached(slot);
        if (connection is not null)
        {
            HandOff(slot, connection);
        }
        else if (_registry.IsShuttingDown)
        {
            channel.SendShutdown(Refusal.ShuttingDown);
        }
        else
        {
            _launcher.Nudge();
        }
    }

    /// <summary>Refuses the connections that waited too long for a worker.</summary>
    public void RefuseExpired()
    {
        foreach (var connection in _registry.TakeExpiredPending(_settings.QueueTimeout))
        {
            Warn("expired", $"connection {connection.Id} from {connection.PeerText} waited {_settings.QueueTimeout.TotalSeconds:0} s for a worker (--queue-timeout); refusing it");
            Refusal.Send(connection.Socket, Refusal.Busy);
        }
    }

    /// <summary>Refuses every waiting connection (a start failed: no worker is coming soon).</summary>
    public void RefuseAllPending(string line)
    {
        foreach (var connection in _registry.TakeAllPending())
        {
            Warn(line, $"refused connection {connection.Id} from {connection.PeerText}: {line[2..]}");
            Refusal.Send(connection.Socket, line);
        }
    }

    public void FlushWarnings() => _refusals.Flush();

    private void Warn(string reason, string message) => _refusals.Hit(reason, message);

    private void HandOff(WorkerSlot slot, PendingConnection connection)
    {
        try
        {
            if (_room is not null)
            {
                SendWelcome(connection, slot);
            }

            slot.Channel!.HandOff(connection.Socket, new HandoffMessage(connection.Id, connection.PeerText, 0, null));
            var waited = Stopwatch.GetElapsedTime(connection.AcceptedTimestamp);
            s_log.Info($"handed connection {connection.Id} ({connection.PeerText}) to worker {slot.ProcessId} {waited.TotalMilliseconds:0.0} ms after accept");
            if (_room is not null)
            {
                // The client joins the room now, not when its worker says Ready: the greeting then follows the hand-off
                // frame down the pipe at once and meets the worker as it takes the socket, a round trip saved.
                // Frames after the hand-off are in order, so nothing can reach the worker before its socket does.
                slot.Joined = true;
                _room.PostReliably(new RoomEvent(RoomEventKind.Joined, slot));
            }
        }
        catch (Exception e)
        {
            connection.Socket.Dispose();
            s_log.Error($"could not hand connection {connection.Id} ({connection.PeerText}) to worker {slot.ProcessId}: {e.Message}; closing it and killing the worker");
            slot.Kill("the hand-off failed");
        }
    }

    // A fresh socket's send buffer is empty: a hundred bytes never block. Synchronous on purpose (see AcceptLoop).
    private static void SendWelcome(PendingConnection connection, WorkerSlot slot)
    {
        var member = (IRoomMember)slot;
        try
        {
            connection.Socket.Send(System.Text.Encoding.UTF8.GetBytes(Greeting.Welcome(member.ServedBy) + "\r\n"));
        }
        catch (System.Net.Sockets.SocketException)
        {
            // Gone already; the worker will find out.
        }
    }

    // One peer per pipe. On Unix the pipe is a socket file in /tmp; once the worker is connected the name is removed,
    // so any later connect fails at once (ENOENT) instead of waiting in the listen backlog.
    private static void ForgetPipeName(WorkerSlot slot)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // a Windows pipe instance that is connected takes no other client (maxNumberOfServerInstances = 1)
        }

        try
        {
            File.Delete(slot.PipeName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            s_log.Warn($"could not remove the name of worker {slot.ProcessId}'s pipe ({slot.PipeName}): {e.Message}");
        }
    }

    private static async Task<HelloMessage> ReadHelloAsync(Stream pipe, FrameDecoder decoder, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryReadHello(decoder, out var hello))
            {
                return hello;
            }

            var received = await pipe.ReadAsync(decoder.GetReadBuffer(), cancellationToken);
            if (received == 0)
            {
                throw new IOException("The worker closed its pipe before saying hello.");
            }

            decoder.Advance(received);
        }
    }

    private static bool TryReadHello(FrameDecoder decoder, out HelloMessage hello)
    {
        if (!decoder.TryReadFrame(out var frame))
        {
            hello = default;
            return false;
        }

        if (frame.Type != FrameType.Hello)
        {
            throw new ProtocolException($"The first frame on a worker's pipe must be Hello, not {frame.Type}.");
        }

        hello = HelloMessage.Read(frame);
        return true;
    }
}

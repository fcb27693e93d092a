using System.Security.Cryptography;
using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Supervisor.Irc;
using ChatFork.Supervisor.Logging;
using ChatFork.Supervisor.Room;
using NLog;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// The step between a worker's start and its first job: wait (bounded) for the worker to connect to its pipe, check
/// that the peer is the very process we started and that it knows the secret we gave it, then start reading its
/// pipe. Any failure kills the worker (the reaper frees its slot) and is logged at Warn.
/// </summary>
internal sealed class WorkerAttach
{
    private static readonly Logger s_log = LogManager.GetLogger("attach");

    private readonly ServerSettings _settings;
    private readonly ChatRoom? _room;
    private readonly SpawnBackoff _backoff;
    private readonly RoomFlow _flow;
    private readonly IrcServer? _irc;
    private readonly WorkerRecycle? _recycle;
    private readonly Fanout.RoomRing? _ring;

    public WorkerAttach(ServerSettings settings, ChatRoom? room, SpawnBackoff backoff, RoomFlow flow, IrcServer? irc = null, WorkerRecycle? recycle = null, Fanout.RoomRing? ring = null)
    {
        _recycle = recycle;
        _ring = ring;
        _irc = irc;
        _settings = settings;
        _room = room;
        _backoff = backoff;
        _flow = flow;
    }

    /// <summary>True when the worker is attached, proven, and its pipe reader is running.</summary>
    public async Task<bool> RunAsync(WorkerSlot slot)
    {
        var decoder = new FrameDecoder(_settings.MaxWorkerFrame, FrameTypes.IsFromWorker, initialCapacity: 1024);
        using var timeout = new CancellationTokenSource(_settings.AttachTimeout);
        try
        {
            await slot.PipeServer.WaitForConnectionAsync(timeout.Token);
            if (PipePaths.Forget(slot.PipeName) is { } problem)
            {
                s_log.Warn($"could not remove the name of worker {slot.ProcessId}'s pipe ({slot.PipeName}): {problem}");
            }

            // Belt and braces: the pipe is CurrentUserOnly, the peer must be the very process we started, and
            // it must know the secret we gave that process.
            if (PipePeer.ProcessId(slot.Pipe) is { } peer && peer != slot.ProcessId)
            {
                return Fail(slot, $"process {peer}, not worker {slot.ProcessId}, connected to that worker's pipe; dropping the connection and the worker",
                    $"another process (pid {peer}) took its pipe");
            }

            var hello = await ReadHelloAsync(slot.Pipe, decoder, timeout.Token);
            if (hello.ProcessId != slot.ProcessId || !CryptographicOperations.FixedTimeEquals(hello.Secret, slot.Secret))
            {
                return Fail(slot, $"the peer on worker {slot.ProcessId}'s pipe said it was pid {hello.ProcessId} with a wrong secret; dropping it and the worker",
                    "a peer on its pipe failed the secret check");
            }

            // --fanout shm: the room's ring, mapped by the worker while it waits in the pool. The first write on the
            // pipe, and synchronous: nothing else writes to it before the worker is attached.
            _ring?.Attach(slot);
        }
        catch (OperationCanceledException)
        {
            return Fail(slot, $"worker {slot.ProcessId} did not attach within {_settings.AttachTimeout.TotalSeconds:0} s (--attach-timeout); killing it",
                "it did not attach in time");
        }
        catch (ProtocolException e)
        {
            return Fail(slot, $"worker {slot.ProcessId} broke the protocol while attaching: {e.Message} Killing it.",
                "it broke the protocol while attaching");
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            slot.Kill("its pipe failed while attaching");
            slot.MarkPipeClosed();
            return false; // it died; the reaper tells the rest
        }
        catch (UnauthorizedAccessException e)
        {
            // What WaitForConnectionAsync throws when the peer runs as another user (CurrentUserOnly on Windows, our
            // SO_PEERCRED check on Unix).
            return Fail(slot, $"a process of another user connected to worker {slot.ProcessId}'s pipe ({e.Message}); dropping it and killing the worker",
                "a process of another user took its pipe");
        }
        catch (Exception e)
        {
            // Whatever else goes wrong here must not leave the slot Starting forever: kill, free, say so.
            return Fail(slot, $"attaching worker {slot.ProcessId} failed ({e.GetType().Name}: {e.Message}); killing it",
                "attaching it failed");
        }

        new WorkerPipeReader(slot, decoder, _room, _backoff, _flow, _irc is null ? null : new IrcFrameReader(_irc, slot), _recycle).Start();
        s_log.Event(LogLevel.Debug, LogEvents.WorkerAttached, $"worker {slot.ProcessId} attached");
        return true;
    }

    private static bool Fail(WorkerSlot slot, string logged, string killReason)
    {
        s_log.Event(LogLevel.Warn, LogEvents.AttachFailed, logged);
        PipePaths.Forget(slot.PipeName); // nobody else may reach it; an error here changes nothing
        slot.Kill(killReason, misbehaved: true);
        slot.MarkPipeClosed();
        return false;
    }

    private static async Task<HelloMessage> ReadHelloAsync(Stream pipe, FrameDecoder decoder, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (decoder.TryReadFrame(out var frame))
            {
                if (frame.Type != FrameType.Hello)
                {
                    throw new ProtocolException($"The first frame on a worker's pipe must be Hello, not {frame.Type}.");
                }

                return HelloMessage.Read(frame);
            }

            var received = await pipe.ReadAsync(decoder.GetReadBuffer(), cancellationToken);
            if (received == 0)
            {
                throw new IOException("The worker closed its pipe before saying hello.");
            }

            decoder.Advance(received);
        }
    }
}

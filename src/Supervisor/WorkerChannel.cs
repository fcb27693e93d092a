using System.Buffers;
using System.IO.Pipes;
using System.Net.Sockets;
using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Supervisor.Room;
using ChatFork.Text;
using NLog;

namespace ChatFork.Supervisor;

/// <summary>
/// The supervisor's end of one worker's pipe, once the worker has attached: a read loop that turns the worker's
/// frames into room events, and a bounded, coalescing write queue for the lines the room sends it.
/// </summary>
/// <remarks>
/// <para>Nothing a worker says is trusted beyond the identity of its own client. Every frame is checked: its type is
/// one a worker may send, in an order that makes sense (nothing before Ready, no second Hello), its text is valid
/// UTF-8 without control characters, its size within limits. A worker that breaks any of this is killed and reaped,
/// and the log says why.</para>
/// <para>Writes never block the caller. Lines are appended to a pending buffer; <see cref="Flush"/> starts one
/// asynchronous write of everything pending (which usually completes at once, in the caller's thread); while it is in
/// flight, new lines collect for the next write. The pending buffer has a limit; a worker that lets it fill up is
/// not reading its pipe and is dropped.</para>
/// </remarks>
internal sealed class WorkerChannel
{
    private static readonly Logger s_log = LogManager.GetLogger("pipe");
    private static readonly Logger s_workerLog = LogManager.GetLogger("worker");

    private readonly WorkerSlot _slot;
    private readonly PipeStream _pipe;
    private readonly FrameDecoder _decoder;
    private readonly ChatRoom? _room;
    private readonly IProcessPlatform _platform;
    private readonly int _queueLimit;
    private readonly string _workerName;
    private readonly Action _onServing;
    private readonly Lock _writeLock = new();
    private readonly List<RoomEvent> _batch = [];
    // Lines from the room collect here first, without a lock: only the room's loop (or, in the thread model, whoever
    // holds the room's lock) writes it. Flush moves it to _pending under the lock, once per batch, not once per line.
    private FrameBuffer _fromRoom = new(512);
    private FrameBuffer _pending = new(512);
    private FrameBuffer _inFlight = new(512);
    private int _queuedBytes; // _pending + _inFlight, read by the room without the lock to enforce the limit
    private bool _writing;
    private volatile bool _closed;
    private bool _ready;

    public WorkerChannel(WorkerSlot slot, FrameDecoder decoder, ChatRoom? room, IProcessPlatform platform, int queueLimit, Action onServing)
    {
        _onServing = onServing;
        _slot = slot;
        _pipe = slot.Pipe;
        _decoder = decoder;
        _room = room;
        _platform = platform;
        _queueLimit = queueLimit;
        _workerName = $"worker[{slot.ProcessId}]";
    }

    /// <summary>
    /// Gives the worker its client: the hand-off frame and, with it, the socket. Must be the first write on the pipe;
    /// the supervisor's copy of the socket is closed when this returns, whether it worked or not.
    /// </summary>
    public void HandOff(Socket client, HandoffMessage message)
    {
        lock (_writeLock)
        {
            if (_writing || _pending.Length > 0 || _closed)
            {
                client.Dispose();
                throw new InvalidOperationException($"Worker {_slot.ProcessId}'s pipe is busy or closed; a hand-off must come first.");
            }

            // Marked as writing (not locked) for the duration: no other write may slip between the frame and its
            // descriptor, and no lock is held across the send.
            _writing = true;
        }

        try
        {
            _platform.HandOff(_pipe, client, _slot.ProcessId, message);
        }
        finally
        {
            lock (_writeLock)
            {
                _writing = false;
            }

            Flush();
        }
    }

    /// <summary>Queues a line for the worker's client (the room's side only). False when over the limit.</summary>
    public bool EnqueueLine(long sequence, ReadOnlySpan<byte> utf8Line)
    {
        if (_closed)
        {
            return true; // the worker is gone; its leave is on its way to the room
        }

        if (_fromRoom.Length + Volatile.Read(ref _queuedBytes) + FrameHeader.Size + sizeof(long) + utf8Line.Length > _queueLimit)
        {
            return false;
        }

        _fromRoom.WriteLineFrame(sequence, utf8Line);
        return true;
    }

    /// <summary>Tells the worker to say <paramref name="lastLine"/> to its client and exit.</summary>
    public void SendShutdown(string lastLine)
    {
        lock (_writeLock)
        {
            if (_closed)
            {
                return;
            }

            _pending.WriteTextFrame(FrameType.Shutdown, lastLine);
        }

        Flush();
    }

    /// <summary>Starts writing what was queued (the room's side, after each batch; and after a shutdown frame).</summary>
    public void Flush()
    {
        lock (_writeLock)
        {
            if (_fromRoom.Length > 0)
            {
                if (_pending.Length == 0)
                {
                    (_fromRoom, _pending) = (_pending, _fromRoom);
                }
                else
                {
                    _pending.WriteBytes(_fromRoom.WrittenSpan);
                    _fromRoom.Clear();
                }
            }

            _queuedBytes = _pending.Length + _inFlight.Length;
            if (_writing || _closed || _pending.Length == 0)
            {
                return;
            }

            _writing = true;
            (_pending, _inFlight) = (_inFlight, _pending);
        }

        _ = WriteLoopAsync();
    }

    public void Close()
    {
        lock (_writeLock)
        {
            _closed = true;
            _pending.Clear();
        }
    }

    /// <summary>The read loop: completes when the worker's end of the pipe is closed (the worker exited).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start() => Completion = RunAsync();

    /// <summary>Reads the worker's frames until its pipe closes; never throws.</summary>
    private async Task RunAsync()
    {
        try
        {
            while (true)
            {
                _batch.Clear();
                while (_decoder.TryReadFrame(out var frame))
                {
                    Dispatch(frame);
                }

                foreach (var e in _batch)
                {
                    if (!_room!.TryPost(e))
                    {
                        // The room is behind: wait, and so stop reading this worker (back-pressure to its client).
                        await _room.PostAsync(e);
                    }
                }

                _batch.Clear();
                var received = await _pipe.ReadAsync(_decoder.GetReadBuffer());
                if (received == 0)
                {
                    return; // the worker closed its end: it is exiting, and the reaper will tell
                }

                _decoder.Advance(received);
            }
        }
        catch (ProtocolException e)
        {
            ReturnBatch();
            s_log.Warn($"worker {_slot.ProcessId} broke the pipe protocol: {e.Message} Killing it.");
            _slot.Kill("it broke the pipe protocol", misbehaved: true);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            ReturnBatch();
        }
        catch (Exception e)
        {
            ReturnBatch();
            s_log.Error(e, $"reading worker {_slot.ProcessId}'s pipe failed; killing it");
            _slot.Kill("its pipe could not be read");
        }
        finally
        {
            Close();
        }
    }

    private void Dispatch(Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.Ready:
                frame.Reader().EnsureEnd();
                if (_ready || _slot.Connection is null)
                {
                    throw new ProtocolException("Ready arrived twice, or before any connection was handed over.");
                }

                _ready = true;
                _onServing();
                s_log.Debug($"worker {_slot.ProcessId} took connection {_slot.Connection.Id} ({_slot.Connection.PeerText})");
                break;
            case FrameType.Say or FrameType.Act:
                RequireChat(frame.Type);
                _batch.Add(ChatLine(frame.Type == FrameType.Say ? RoomEventKind.Said : RoomEventKind.Acted, frame.Payload));
                break;
            case FrameType.Nick:
            {
                RequireChat(frame.Type);
                var nick = frame.Reader().ReadRestUtf8();
                if (!NickRules.IsValid(nick))
                {
                    throw new ProtocolException("A Nick frame holds a nick that breaks the nick rules (the worker checks them first).");
                }

                _batch.Add(new RoomEvent(RoomEventKind.NickRequested, _slot, Text: nick));
                break;
            }

            case FrameType.Whisper:
            {
                RequireChat(frame.Type);
                var whisper = WhisperMessage.Read(frame);
                if (!TextSanitizer.IsClean(whisper.Text) || !TextSanitizer.IsClean(whisper.Target))
                {
                    throw new ProtocolException("A Whisper frame holds control characters.");
                }

                _batch.Add(new RoomEvent(RoomEventKind.Whispered, _slot, Text: whisper.Text, Target: whisper.Target));
                break;
            }

            case FrameType.Who or FrameType.Ps:
                RequireChat(frame.Type);
                frame.Reader().EnsureEnd();
                _batch.Add(new RoomEvent(frame.Type == FrameType.Who ? RoomEventKind.WhoRequested : RoomEventKind.PsRequested, _slot));
                break;
            case FrameType.Leaving:
                var leaving = LeavingMessage.Read(frame);
                if (!TextSanitizer.IsClean(leaving.Detail))
                {
                    // The detail of a /quit reaches every client in the leave notice.
                    throw new ProtocolException("A Leaving frame holds control characters.");
                }

                _slot.Leaving = leaving;
                s_log.Debug($"worker {_slot.ProcessId} is leaving: {LeaveReasons.Describe(_slot.Leaving.Value.Reason)} ({_slot.Leaving.Value.Detail})");
                break;
            case FrameType.Log:
                WriteWorkerLog(LogMessage.Read(frame));
                break;
            default:
                throw new ProtocolException($"A worker may not send {frame.Type} at this point.");
        }
    }

    private void RequireChat(FrameType type)
    {
        if (!_ready || _room is null)
        {
            throw new ProtocolException($"{type} arrived {(_room is null ? "in echo mode" : "before Ready")}.");
        }
    }

    private RoomEvent ChatLine(RoomEventKind kind, ReadOnlySpan<byte> text)
    {
        if (!TextSanitizer.IsCleanUtf8(text))
        {
            throw new ProtocolException("A chat line is not valid UTF-8 or holds control characters (the worker must clean it).");
        }

        var data = ArrayPool<byte>.Shared.Rent(Math.Max(text.Length, 1));
        text.CopyTo(data);
        return new RoomEvent(kind, _slot, data, text.Length);
    }

    private void ReturnBatch()
    {
        foreach (var e in _batch)
        {
            if (e.Data is not null)
            {
                ArrayPool<byte>.Shared.Return(e.Data);
            }
        }

        _batch.Clear();
    }

    private void WriteWorkerLog(LogMessage message)
    {
        var level = message.Level switch
        {
            WorkerLogLevel.Debug => LogLevel.Debug,
            WorkerLogLevel.Info => LogLevel.Info,
            WorkerLogLevel.Warn => LogLevel.Warn,
            _ => LogLevel.Error,
        };
        // Cleaned, not trusted: a newline or an escape in a worker's text must not forge or garble log lines.
        var e = LogEventInfo.Create(level, s_workerLog.Name, TextSanitizer.Clean(message.Text));
        e.Properties["proc"] = _workerName;
        s_workerLog.Log(e);
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (true)
            {
                await _pipe.WriteAsync(_inFlight.WrittenMemory);
                lock (_writeLock)
                {
                    _inFlight.Clear();
                    _queuedBytes = _pending.Length;
                    if (_pending.Length == 0 || _closed)
                    {
                        _writing = false;
                        return;
                    }

                    (_pending, _inFlight) = (_inFlight, _pending);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The worker is gone; the reaper will account for it.
            lock (_writeLock)
            {
                _closed = true;
                _writing = false;
                _pending.Clear();
                _inFlight.Clear();
                _queuedBytes = 0;
            }
        }
    }
}

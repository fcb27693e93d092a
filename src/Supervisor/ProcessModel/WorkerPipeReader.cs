using ChatFork.Protocol;
using ChatFork.Supervisor.Irc;
using ChatFork.Supervisor.Logging;
using ChatFork.Supervisor.Room;
using ChatFork.Text;
using NLog;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// The supervisor's read side of one attached worker's pipe: a loop that checks each frame the worker sends and
/// turns it into a room event (or a lifecycle fact, or a log line). It ends when the worker's end of the pipe closes.
/// </summary>
/// <remarks>
/// Nothing a worker says is trusted beyond the identity of its own client. Every frame is checked: its type is one a
/// worker may send, in an order that makes sense (nothing before Ready, no second Ready), its text is valid UTF-8
/// without control characters, its size within limits. A worker that breaks any of this is killed and reaped, and
/// the log says why. When the room or its receivers are behind (<see cref="RoomFlow"/>), the loop waits to post,
/// and so stops reading this worker: that is the back-pressure that slows its client down.
/// </remarks>
internal sealed class WorkerPipeReader
{
    private static readonly Logger s_log = LogManager.GetLogger("pipe");
    private static readonly Logger s_workerLog = LogManager.GetLogger("worker");

    private readonly WorkerSlot _slot;
    private readonly FrameDecoder _decoder;
    private readonly ChatRoom? _room;
    private readonly SpawnBackoff _backoff;
    private readonly RoomFlow _flow;
    private readonly WorkerRecycle? _recycle;
    private SenderAllowance _allowance = new(TimeProvider.System);
    private readonly string _workerName;
    private readonly List<RoomEvent> _batch = [];
    private readonly IrcFrameReader? _irc;

    /// <param name="recycle">With --worker-reuse: takes the worker back after a clean Recycled. Null: a Recycled is a violation.</param>
    public WorkerPipeReader(WorkerSlot slot, FrameDecoder decoder, ChatRoom? room, SpawnBackoff backoff, RoomFlow flow, IrcFrameReader? irc = null,
        WorkerRecycle? recycle = null)
    {
        _recycle = recycle;
        _flow = flow;
        _irc = irc;
        _slot = slot;
        _decoder = decoder;
        _room = room;
        _backoff = backoff;
        _workerName = $"worker[{slot.ProcessId}]";
    }

    /// <summary>Starts the loop; <see cref="WorkerSlot.PipeClosed"/> completes when it ends.</summary>
    public void Start() => _ = RunAsync();

    private async Task RunAsync()
    {
        try
        {
            while (true)
            {
                _batch.Clear();
                var recycled = false;
                while (!recycled && _decoder.TryReadFrame(out var frame))
                {
                    recycled = Dispatch(frame);
                }

                for (var i = 0; i < _batch.Count; i++)
                {
                    var e = _batch[i];
                    // Flow control: while the room or its receivers are behind, this sender may wait here, and its
                    // pipe goes unread meanwhile. A line counts as in transit from here, as it is posted.
                    await _flow.AdmitAsync(_allowance);
                    if (e.Line is { } line)
                    {
                        e = e with { Line = line.CountedBy(_flow) };
                    }

                    _batch[i] = default; // posted: the room owns its line now
                    if (!_room!.TryPost(e))
                    {
                        await _room.PostAsync(e);
                    }
                }

                _batch.Clear();
                if (_irc is not null)
                {
                    await _irc.PostPendingAsync(); // IRC mode: the same back-pressure, toward the IRC server
                }

                if (recycled)
                {
                    // Its client's lines are posted; take the worker back before reading on (what it sends next
                    // belongs to its next client, if any). Flow control starts afresh with that client.
                    await _recycle!.RunAsync(_slot);
                    _allowance = new SenderAllowance(TimeProvider.System);
                    continue;
                }

                var received = await _slot.Pipe.ReadAsync(_decoder.GetReadBuffer());
                if (received == 0)
                {
                    return; // the worker closed its end: it is exiting, and the reaper will tell
                }

                _decoder.Advance(received);
            }
        }
        catch (ProtocolException e)
        {
            ReleaseBatch();
            s_log.Event(LogLevel.Warn, LogEvents.ProtocolViolation, $"worker {_slot.ProcessId} broke the pipe protocol: {e.Message} Killing it.");
            _slot.Kill("it broke the pipe protocol", misbehaved: true);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            ReleaseBatch();
        }
        catch (Exception e)
        {
            ReleaseBatch();
            s_log.Error(e, $"reading worker {_slot.ProcessId}'s pipe failed; killing it");
            _slot.Kill("its pipe could not be read");
        }
        finally
        {
            _slot.Outbox.Close();
            _slot.MarkPipeClosed();
        }
    }

    // True for a clean Recycled: the caller stops dispatching and takes the worker back first.
    private bool Dispatch(Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.Ready:
                frame.Reader().EnsureEnd();
                if (!_slot.Life.SaidReady())
                {
                    throw new ProtocolException("Ready arrived twice, or before any connection was handed over.");
                }

                // Only a worker that has taken a client counts as a success that ends a back-off: one that attaches
                // and then breaks the rules must not reset it.
                _backoff.Succeeded();
                s_log.Debug($"worker {_slot.ProcessId} took connection {_slot.Member.Id} ({_slot.Member.PeerEndPoint})");
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

                _batch.Add(new RoomEvent(RoomEventKind.NickRequested, _slot.Member, Text: nick));
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

                _batch.Add(new RoomEvent(RoomEventKind.Whispered, _slot.Member, Text: whisper.Text, Target: whisper.Target));
                break;
            }

            case FrameType.Who or FrameType.Ps:
                RequireChat(frame.Type);
                frame.Reader().EnsureEnd();
                _batch.Add(new RoomEvent(frame.Type == FrameType.Who ? RoomEventKind.WhoRequested : RoomEventKind.PsRequested, _slot.Member));
                break;
            case FrameType.Leaving:
                var leaving = LeavingMessage.Read(frame);
                if (!TextSanitizer.IsClean(leaving.Detail))
                {
                    // The detail of a /quit reaches every client in the leave notice.
                    throw new ProtocolException("A Leaving frame holds control characters.");
                }

                _slot.Life.SaidLeaving(leaving);
                s_log.Debug($"worker {_slot.ProcessId} is leaving: {LeaveReasons.Describe(leaving.Reason)} ({leaving.Detail})");
                break;
            case FrameType.Log:
                WriteWorkerLog(LogMessage.Read(frame));
                break;

            case FrameType.IrcRegister or FrameType.IrcCommand:
                if (!_slot.Life.Ready || _irc is null)
                {
                    throw new ProtocolException($"{frame.Type} arrived {(_irc is null ? "outside IRC mode" : "before Ready")}.");
                }

                _irc.Read(frame);
                break;
            case FrameType.Recycled:
                frame.Reader().EnsureEnd();
                return CheckRecycled();
            default:
                throw new ProtocolException($"A worker may not send {frame.Type} at this point.");
        }

        return false;
    }

    // The worker decides whether its session ended cleanly; the supervisor checks that claim against what it saw, and
    // reuses only a worker it has no reason to distrust (docs/process-model.md, "Reusing a worker").
    private bool CheckRecycled()
    {
        if (_recycle is null)
        {
            throw new ProtocolException("Recycled arrived, but workers are not reused here (--worker-reuse is off).");
        }

        var life = _slot.Life;
        if (life.KillReason is { } killing)
        {
            // Tainted in the supervisor's eyes (it misbehaved, fell behind, was dropped): it is dying, not reused.
            s_log.Debug($"worker {_slot.ProcessId} said Recycled, but it is being killed ({killing}); not reusing it");
            return false;
        }

        if (!life.SaidRecycled())
        {
            throw new ProtocolException(
                !life.Ready ? "Recycled arrived before Ready: the worker had no client to recycle."
                : life.Recycling ? "Recycled arrived twice."
                : life.Leaving is not { } leaving ? "Recycled arrived without a Leaving frame first."
                : $"Recycled arrived after a Leaving for \"{LeaveReasons.Describe(leaving.Reason)}\": only a client that closed or typed /quit leaves its worker reusable.");
        }

        return true;
    }

    private void RequireChat(FrameType type)
    {
        if (!_slot.Life.Ready || _room is null)
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

        return RoomEvent.ChatLine(kind, _slot.Member, text);
    }

    private void ReleaseBatch()
    {
        foreach (var e in _batch)
        {
            e.Release();
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
}

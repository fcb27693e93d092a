using ChatFork.Protocol;
using ChatFork.Supervisor.ProcessModel;

namespace ChatFork.Supervisor.Fanout;

/// <summary>
/// One member's place in the room's ring, as its worker last reported it, and what follows from it: its level for
/// the room's flow control (its backlog is the head minus that place), whether it sleeps and needs a doorbell, and
/// whether it has stopped making progress.
/// </summary>
/// <remarks>
/// Reports arrive on the worker's pipe reader (<see cref="Report"/>); the room's loop reads the position and rings
/// the doorbell (<see cref="TakeSleeper"/>). The doorbell cannot be missed: the worker says it sleeps at P, the
/// pipe reader stores that, fences and looks at the head; the room's loop publishes the head, fences and looks at
/// the flag. One of the two sees the other, and whichever takes the flag first (an exchange) rings, once.
/// </remarks>
internal sealed class RingCursor
{
    private readonly RoomRing _ring;
    private readonly Lock _lock = new();
    private long _position;
    private int _sleeping;
    private long _lastProgress = Environment.TickCount64;
    private long _behindSince;
    private RoomFlow.Level _level;
    private volatile bool _closed;

    public RingCursor(RoomRing ring, WorkerOutbox outbox, long memberId, long position)
    {
        _ring = ring;
        Outbox = outbox;
        MemberId = memberId;
        _position = position;
    }

    public WorkerOutbox Outbox { get; }

    public long MemberId { get; }

    /// <summary>The ring's head, on the room's loop (a line for this member alone is tagged with it).</summary>
    public long Head => _ring.Head;

    /// <summary>Where the worker has read up to, as it last said.</summary>
    public long Position => Volatile.Read(ref _position);

    /// <summary>The worker is gone, has left, or was dropped: it holds nothing back any more.</summary>
    public bool Closed => _closed;

    /// <summary>The head minus the reported position.</summary>
    public long Backlog => Math.Max(0, _ring.PublishedHead - Position);

    /// <summary>A report from the worker (its pipe reader). Throws when it cannot be true.</summary>
    public void Report(RingPositionMessage report)
    {
        var head = _ring.PublishedHead;
        var before = Position;
        if (report.Position < before || report.Position > head || (report.Position & 7) != 0)
        {
            throw new ProtocolException($"A RingPosition frame says {report.Position}, but the worker was at {before} and the ring's head is at {head}.");
        }

        if (report.Position > before || report.Sleeping)
        {
            Volatile.Write(ref _lastProgress, Environment.TickCount64);
        }

        Volatile.Write(ref _position, report.Position);
        if (report.Sleeping)
        {
            Interlocked.Exchange(ref _sleeping, 1); // a full fence, before the head is read again below
            if (_ring.PublishedHead > report.Position && Interlocked.Exchange(ref _sleeping, 0) == 1)
            {
                Outbox.SendDoorbell(); // a line came while it was saying so
            }
        }

        Reevaluate();
    }

    /// <summary>The room's loop, after publishing: true (once) when the member sleeps below the head and needs a doorbell.</summary>
    public bool TakeSleeper(long head) =>
        Volatile.Read(ref _sleeping) == 1 && head > Position && Interlocked.Exchange(ref _sleeping, 0) == 1;

    /// <summary>Works the level out again from the backlog and tells the room's flow control if it changed.</summary>
    public void Reevaluate()
    {
        RoomFlow.Level from, to;
        lock (_lock)
        {
            var backlog = Backlog;
            to = _closed ? RoomFlow.Level.Normal
                : backlog > _ring.FullAt ? RoomFlow.Level.Full
                : backlog > _ring.HighWater ? RoomFlow.Level.Congested
                : RoomFlow.Level.Normal;
            from = _level;
            if (to == from)
            {
                return;
            }

            if (from == RoomFlow.Level.Normal)
            {
                _behindSince = Environment.TickCount64;
            }

            _level = to;
        }

        _ring.Flow.Moved(from, to);
    }

    /// <summary>Past half the ring and no progress reported for <paramref name="timeout"/> since it got there: a slow consumer.</summary>
    public bool IsStalled(TimeSpan timeout)
    {
        lock (_lock)
        {
            var since = Math.Max(_behindSince, Volatile.Read(ref _lastProgress));
            return !_closed && _level != RoomFlow.Level.Normal && Environment.TickCount64 - since > (long)timeout.TotalMilliseconds;
        }
    }

    /// <summary>It left, died or was dropped: its level goes back to normal and it holds the ring back no more.</summary>
    public void Close()
    {
        _closed = true;
        Reevaluate();
    }
}

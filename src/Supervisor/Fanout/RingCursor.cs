using ChatFork.Fanout;
using ChatFork.Platform;
using ChatFork.Supervisor.ProcessModel;

namespace ChatFork.Supervisor.Fanout;

/// <summary>
/// One worker's place in the room's ring, read from its cursor page (shared memory the worker writes), and what
/// follows from it: its level for the room's flow control (its backlog is the head minus that place), whether it
/// sleeps and needs a doorbell, and whether it has stopped making progress. Made when the worker attaches; the
/// member joins the ring when it joins the room.
/// </summary>
/// <remarks>
/// The page is read, never trusted: a position that goes back, passes the head or is not a record's start breaks
/// the protocol, and the worker is killed. The doorbell cannot be missed: the worker raises its flag, fences and looks
/// at the head; the room's loop publishes the head, fences and looks at the flag. One of the two sees the other, and
/// whoever takes the flag first (an exchange) acts on it, once. Every read of the page is under the lock, and the page
/// is unmapped under it (<see cref="Close"/>), so nothing reads it after it is gone.
/// </remarks>
internal sealed class RingCursor
{
    private readonly RoomRing _ring;
    private readonly RingMapping _mapping;
    private readonly RingCursorPage _page;
    private readonly Lock _lock = new();
    private long _position;
    private long _lastProgress = Environment.TickCount64;
    private long _behindSince;
    private RoomFlow.Level _level;
    private bool _joined;
    private volatile bool _closed;

    public RingCursor(RoomRing ring, WorkerOutbox outbox, RingMapping mapping)
    {
        _ring = ring;
        _mapping = mapping;
        _page = mapping.AsCursorPage();
        Outbox = outbox;
    }

    public WorkerOutbox Outbox { get; }

    /// <summary>The ring's head, on the room's loop (a line for this member alone is tagged with it).</summary>
    public long Head => _ring.Head;

    /// <summary>Where the worker has read up to, as its page said when last looked at.</summary>
    public long Position => Volatile.Read(ref _position);

    /// <summary>The worker is gone, has left, or was dropped: it holds nothing back any more.</summary>
    public bool Closed => _closed;

    /// <summary>The head minus the position.</summary>
    public long Backlog => Math.Max(0, _ring.PublishedHead - Position);

    /// <summary>The room's loop: the member joins the ring at <paramref name="position"/>, the head now.</summary>
    public void Join(long position)
    {
        lock (_lock)
        {
            if (_closed)
            {
                // Its worker died (or was dropped) between its hand-off and the room's handling of the join: the page
                // is unmapped, and the member's leave follows.
                return;
            }

            // The worker writes its page only once it has read RingJoin; until then the page says where it starts.
            Volatile.Write(ref _page.Position, position);
            _position = position;
            _joined = true;
        }
    }

    /// <summary>
    /// The member left (its client is gone; with --worker-reuse its worker may serve another): it holds the ring back
    /// no more and is not rung, until the next <see cref="Join"/>. The page stays mapped.
    /// </summary>
    public void Leave()
    {
        lock (_lock)
        {
            _joined = false;
        }

        Reevaluate();
    }

    /// <summary>The room's loop, after publishing: true (once) when the member sleeps below the head and needs a doorbell.</summary>
    public bool TakeSleeper(long head)
    {
        lock (_lock)
        {
            return !_closed && _joined && Volatile.Read(ref _page.Sleeping) == 1 && head > ReadPositionLocked()
                && Interlocked.Exchange(ref _page.Sleeping, 0) == 1;
        }
    }

    /// <summary>Reads the page, works the level out again from the backlog and tells the room's flow control if it changed.</summary>
    public void Reevaluate()
    {
        RoomFlow.Level from, to;
        lock (_lock)
        {
            if (!_closed && _joined)
            {
                ReadPositionLocked();
            }

            to = RoomFlow.LevelOf(!_closed && _joined, Backlog, _ring.HighWater, _ring.FullAt);
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

        _ring.Moved(from, to);
    }

    /// <summary>Past half the ring and no progress for <paramref name="timeout"/> since it got there: a slow consumer.</summary>
    public bool IsStalled(TimeSpan timeout)
    {
        lock (_lock)
        {
            var since = Math.Max(_behindSince, Volatile.Read(ref _lastProgress));
            return !_closed && _level != RoomFlow.Level.Normal && Environment.TickCount64 - since > (long)timeout.TotalMilliseconds;
        }
    }

    /// <summary>It left, died or was dropped: its level goes back to normal, it holds the ring back no more, its page is unmapped.</summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            _mapping.Dispose();
        }

        Reevaluate();
    }

    private long ReadPositionLocked()
    {
        var reported = Volatile.Read(ref _page.Position);
        var head = _ring.PublishedHead;
        if (reported == _position)
        {
            if (Volatile.Read(ref _page.Sleeping) == 1)
            {
                Volatile.Write(ref _lastProgress, Environment.TickCount64); // caught up and waiting: not stalled
            }

            return _position;
        }

        if (reported < _position || reported > head || (reported & 7) != 0)
        {
            // A worker that writes nonsense into its page must not make the room write over what others have not read.
            Outbox.Misbehaved($"its ring cursor said {reported}, after {_position}, with the head at {head}");
            return _position;
        }

        Volatile.Write(ref _position, reported);
        Volatile.Write(ref _lastProgress, Environment.TickCount64);
        return reported;
    }
}

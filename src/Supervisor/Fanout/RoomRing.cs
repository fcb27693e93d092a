using ChatFork.Fanout;
using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Supervisor.Logging;
using ChatFork.Supervisor.ProcessModel;
using ChatFork.Supervisor.Room;
using NLog;

namespace ChatFork.Supervisor.Fanout;

/// <summary>
/// The room's ring in shared memory (<c>--fanout shm</c>): the room's loop writes each broadcast into it once
/// (<see cref="RingWriter"/>), and every worker reads it from its own place (<c>RingReader</c>), instead of the
/// supervisor writing the line down every worker's pipe.
/// </summary>
/// <remarks>
/// <para>Shared once per worker, as it attaches (<see cref="Attach"/>: a read-only memfd over SCM_RIGHTS on Linux, a
/// file mapping's name on Windows). A member joins at the head (<see cref="Join"/>, the <c>RingJoin</c> frame); its
/// own lines (whispers, /who) stay on its pipe, tagged with the head, so its worker writes them after what it read
/// from the ring below that point.</para>
/// <para>Flow control follows the pipes' rules (<see cref="RoomFlow"/>): a member's backlog is the head minus what it
/// reported read; past half the ring it is congested, past the ring less a reserve (a quarter, at least 64 KiB) full.
/// The writer never writes over what a live member has not reported read: should a record not fit even so, the
/// members holding it back are dropped, as a full pipe queue's member is (<see cref="MakeRoom"/>). A member past half
/// the ring that reports no progress for <c>--slow-consumer-timeout</c> is dropped by housekeeping.</para>
/// </remarks>
internal sealed class RoomRing : IRoomRing, IDisposable
{
    private static readonly Logger s_log = LogManager.GetLogger("room");
    private static readonly TimeSpan s_watchInterval = TimeSpan.FromMilliseconds(5);

    private readonly RingMapping _mapping;
    private readonly IRingShare _share;
    private readonly RingWriter _writer;
    private readonly List<RingCursor> _cursors = [];
    private volatile RingCursor[] _snapshot = []; // for the watch, off the room's loop
    private int _behind; // cursors not at the normal level
    private int _watching;
    private long _oldest; // a lower bound of the live cursors' positions (they only grow), so that most writes look at none

    public RoomRing(RingMapping mapping, long capacity, IRingShare share, RoomFlow flow)
    {
        _mapping = mapping;
        _share = share;
        Flow = flow;
        _writer = new RingWriter(mapping.AsRing(capacity));
        Capacity = capacity;
        HighWater = capacity / 2;
        FullAt = capacity - ReserveFor(capacity);
    }

    public RoomFlow Flow { get; }

    public long Capacity { get; }

    /// <summary>Past this backlog a member is congested.</summary>
    public long HighWater { get; }

    /// <summary>Past this backlog a member is full: every sender waits.</summary>
    public long FullAt { get; }

    /// <summary>The head as workers see it (any thread).</summary>
    public long PublishedHead => Volatile.Read(ref _writer.Memory.Head);

    /// <summary>The head, on the room's loop.</summary>
    public long Head => _writer.Head;

    public string Description => $"{Capacity / 1024} KiB ring by {_share.Name}";

    /// <summary>What is kept above the full level for notices: a quarter of the ring, at least 64 KiB (as for the pipes' queues).</summary>
    public static long ReserveFor(long capacity) => Math.Max(64 * 1024, capacity / 4);

    /// <summary>Gives a freshly attached worker the ring and a cursor page of its own. Before any other write on its pipe.</summary>
    public void Attach(WorkerSlot slot)
    {
        var page = _share.Create(RingPart.CursorPage, RingLayout.CursorPageSize);
        try
        {
            _share.Send(slot.Pipe, RingPart.Ring, _mapping, Capacity);
            _share.Send(slot.Pipe, RingPart.CursorPage, page, RingLayout.CursorPageSize);
        }
        catch
        {
            page.Dispose();
            throw;
        }

        // The page descriptor is the worker's now; the supervisor keeps only its mapping.
        page.SharedDescriptor?.Dispose();
        slot.Outbox.AttachRing(new RingCursor(this, slot.Outbox, page));
    }

    public void Join(IRoomMember member)
    {
        // A member is one client's session (WorkerSession); with --worker-reuse a worker's next client is a new
        // member on the same outbox and cursor page, which joins at its own RingJoin.
        if (member is not WorkerSession { Outbox: { Ring: { } cursor } outbox })
        {
            throw new InvalidOperationException("Only a worker that was given the ring can join it.");
        }

        cursor.Join(Head);
        outbox.JoinRing(member.Id, Head);
        _cursors.Add(cursor);
        _snapshot = [.. _cursors];
    }

    public void Leave(IRoomMember member)
    {
        var outbox = (member as WorkerSession)?.Outbox;
        var i = _cursors.FindIndex(c => c.Outbox == outbox);
        if (i >= 0)
        {
            // Not Close: a recycled worker keeps its cursor page for its next client; the outbox closes it with the pipe.
            _cursors[i].Leave();
            _cursors.RemoveAt(i);
            _snapshot = [.. _cursors];
        }
    }

    public void Write(long sequence, long excludedMemberId, ReadOnlySpan<byte> line)
    {
        var size = RingLayout.RecordSize(line.Length);
        if (Head + size - _oldest > HighWater)
        {
            // Someone may be behind: read the pages now, as the pipes' outboxes look at their level with each line
            // past their high-water mark, so that the senders are stopped while the reserve still holds.
            Refresh();
        }

        MakeRoom(size);
        _writer.Write(sequence, excludedMemberId, line);
    }

    public void Publish()
    {
        var head = Head;
        Interlocked.MemoryBarrier(); // the head is out before any sleeper's flag is read (see RingCursor)
        foreach (var cursor in _cursors)
        {
            cursor.Reevaluate();
            if (cursor.TakeSleeper(head))
            {
                cursor.Outbox.SendDoorbell();
            }
        }
    }

    /// <summary>A cursor's level changed: the room's flow control hears of it, and while any is behind, the watch runs.</summary>
    public void Moved(RoomFlow.Level from, RoomFlow.Level to)
    {
        Flow.Moved(from, to);
        if (from == RoomFlow.Level.Normal && Interlocked.Increment(ref _behind) == 1 && Interlocked.Exchange(ref _watching, 1) == 0)
        {
            _ = Task.Run(WatchAsync);
        }
        else if (to == RoomFlow.Level.Normal)
        {
            Interlocked.Decrement(ref _behind);
        }
    }

    public void Dispose() => _mapping.Dispose();

    // Reads every member's page: their levels, and the oldest place a live member still has to read.
    private void Refresh()
    {
        _oldest = Head;
        foreach (var c in _cursors)
        {
            c.Reevaluate();
            if (!c.Closed)
            {
                _oldest = Math.Min(_oldest, c.Position);
            }
        }
    }

    // While a member is behind, the senders may all be waiting, so no batch comes to re-read the cursor pages: look
    // at them every few milliseconds until every member is back to normal, and the waiting senders go on at once.
    private async Task WatchAsync()
    {
        while (true)
        {
            while (Volatile.Read(ref _behind) > 0)
            {
                await Task.Delay(s_watchInterval);
                foreach (var cursor in _snapshot)
                {
                    cursor.Reevaluate();
                }
            }

            Volatile.Write(ref _watching, 0);
            if (Volatile.Read(ref _behind) == 0 || Interlocked.Exchange(ref _watching, 1) != 0)
            {
                return;
            }
        }
    }

    // The writer must not land on what a live member has not read. Flow control keeps members far from that (senders
    // wait at the full level, the reserve holds notices); a member that runs through the reserve too is cut off, and
    // the log and the room say why.
    private void MakeRoom(int size)
    {
        if (_writer.Free(_oldest) >= size)
        {
            return;
        }

        while (true)
        {
            Refresh();
            if (_writer.Free(_oldest) >= size)
            {
                return;
            }

            foreach (var c in _cursors)
            {
                if (!c.Closed && c.Position == _oldest)
                {
                    s_log.Event(LogLevel.Warn, LogEvents.SlowConsumer,
                        $"{c.Outbox.ServedByShort} fell a whole ring behind ({c.Backlog} bytes unread, --ring-size {Capacity}); dropping it");
                    c.Close();
                    c.Outbox.Drop($"it fell a whole ring behind (--ring-size {Capacity})");
                }
            }
        }
    }
}

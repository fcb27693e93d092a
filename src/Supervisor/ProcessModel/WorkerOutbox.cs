using System.Net.Sockets;
using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Supervisor.Room;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// Everything the supervisor sends one worker: the hand-off, the room's lines, the shutdown word. The room writes to
/// it through the worker's session (<see cref="WorkerSession"/>, its member for the client). Its queue is bounded;
/// writes never block the caller.
/// </summary>
/// <remarks>
/// <para>Its level feeds the room's flow control (<see cref="RoomFlow"/>): past half of <c>--worker-queue</c> it is
/// congested (heavy senders wait), past <c>--worker-queue</c> full (every sender waits). If it makes no progress for
/// <c>--slow-consumer-timeout</c> while congested or full, housekeeping drops it. Lines that must still be said while it is full (server
/// notices) may use a reserve above the limit; only a member that runs through that too is cut off at once
/// (<see cref="Deliver"/> says false). So the queue never exceeds <c>--worker-queue</c> + the reserve.</para>
/// <para>Three buffers, each with exactly one writer at a time:</para>
/// <list type="bullet">
/// <item><c>_fromRoom</c>: written by the room's loop alone, without a lock (<see cref="Deliver"/>), and moved on by
///   that same loop once per batch (<see cref="Flush"/>), so a burst costs one lock and one pipe write, not one per line;</item>
/// <item><c>_pending</c>: touched only under <c>_lock</c>, by <see cref="Flush"/>, <see cref="SendShutdown"/> (any
///   thread) and the write loop;</item>
/// <item><c>_inFlight</c>: owned by the one write loop while <c>_writing</c> is set.</item>
/// </list>
/// <para>The hand-off must be the first write: while it is in progress <c>_writing</c> is set, so room lines that
/// arrive meanwhile wait in <c>_pending</c> and follow the socket down the pipe in order. Threads other than the room's
/// never touch <c>_fromRoom</c>: that was the race behind "No frame is open" (a shutdown flushing it while the room was
/// half-way through writing a frame into it).</para>
/// </remarks>
internal sealed class WorkerOutbox
{
    private readonly WorkerSlot _slot;
    private readonly int _limit;
    private readonly int _highWater;
    private readonly int _hardCap;
    private readonly RoomFlow _flow;
    private readonly Lock _lock = new();
    private volatile RoomFlow.Level _level;
    private long _lastProgress = Environment.TickCount64;
    private long _behindSince;
    private FrameBuffer _fromRoom = new(512);
    private FrameBuffer _pending = new(512);
    private FrameBuffer _inFlight = new(512);
    private int _queuedBytes; // _pending + _inFlight, read by the room without the lock to enforce the limit
    private bool _writing;
    private volatile bool _closed;
    private TaskCompletionSource? _drained;
    private volatile Fanout.RingCursor? _ring;

    public WorkerOutbox(WorkerSlot slot, int limit, RoomFlow flow)
    {
        _slot = slot;
        _limit = limit;
        _highWater = limit / 2;
        _hardCap = limit + ReserveFor(limit);
        _flow = flow;
    }

    /// <summary>Room above <c>--worker-queue</c> for what must still be said to a full member: a quarter of it, at least 64 KiB.</summary>
    public static int ReserveFor(int limit) => Math.Max(64 * 1024, limit / 4);

    /// <summary>True once the worker is gone (its pipe failed or the slot was closed).</summary>
    public bool IsClosed => _closed;

    /// <summary>
    /// Gives the worker its client: the hand-off frame and, with it, the socket. Must be the first write on the pipe;
    /// the supervisor's copy of the socket is closed when this returns, whether it worked or not.
    /// <paramref name="beforeSend"/> runs once the pipe is reserved for the hand-off and before the socket goes: what
    /// it queues (the room's greeting) follows the socket down the pipe, and anything the worker says after taking
    /// the socket (Ready, its client's first line) finds the supervisor already knowing of the hand-off.
    /// </summary>
    public void HandOff(ISocketHandOff handOff, Socket client, HandoffMessage message, Action beforeSend)
    {
        lock (_lock)
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
            beforeSend();
            handOff.Send(_slot.Pipe, client, _slot.ProcessId, message);
        }
        finally
        {
            bool start;
            TaskCompletionSource? drained = null;
            lock (_lock)
            {
                _writing = false;
                start = TakeNextWriteLocked();
                if (!start)
                {
                    drained = TakeDrainedLocked();
                }
            }

            drained?.TrySetResult();
            StartWriting(start);
        }
    }

    /// <summary>Queues a line for the worker's client. The room's loop only. False when over the limit.</summary>
    public bool Deliver(long sequence, ReadOnlySpan<byte> utf8Line)
    {
        if (_closed)
        {
            return true; // the worker is gone; its leave is on its way to the room
        }

        var ring = _ring;
        var after = _fromRoom.Length + Volatile.Read(ref _queuedBytes) + FrameHeader.Size + (ring is null ? 8 : 16) + utf8Line.Length;
        if (after > _hardCap)
        {
            return false;
        }

        if (ring is null)
        {
            _fromRoom.WriteLineFrame(sequence, utf8Line);
        }
        else
        {
            // --fanout shm: the worker writes this after what it reads from the ring below the head as it is now.
            RingFrames.WriteLine(_fromRoom, sequence, ring.Head, utf8Line);
        }

        if (after > _highWater || _level != RoomFlow.Level.Normal)
        {
            Reevaluate();
        }

        return true;
    }

    /// <summary>--fanout shm: this member's place in the room's ring, once it joined; null with pipes.</summary>
    public Fanout.RingCursor? Ring => _ring;

    /// <summary>"worker PID", for the ring's notices.</summary>
    public string ServedByShort => $"worker {_slot.ProcessId}";

    /// <summary>--fanout shm: the worker was given the ring and this cursor page as it attached.</summary>
    public void AttachRing(Fanout.RingCursor cursor) => _ring = cursor;

    /// <summary>--fanout shm, the room's loop: the member joins the ring at <paramref name="position"/> (the RingJoin frame, before its first line).</summary>
    public void JoinRing(long memberId, long position) => RingFrames.WriteJoin(_fromRoom, memberId, position);

    /// <summary>The worker broke the protocol through shared memory: kill it, and say so.</summary>
    public void Misbehaved(string what) => _slot.Kill($"it broke the ring protocol: {what}", misbehaved: true);

    /// <summary>--fanout shm: the ring has lines for this sleeping worker. Any thread (the room's loop, a pipe reader).</summary>
    public void SendDoorbell()
    {
        bool start;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _pending.WriteFrame(FrameType.Doorbell, default);
            start = TakeNextWriteLocked();
        }

        StartWriting(start);
    }

    /// <summary>
    /// True when the queue is past its high-water mark (so it holds the room back) and nothing has gone down the pipe
    /// for <paramref name="timeout"/> since it got there: a slow consumer, which housekeeping drops. One that drains,
    /// however slowly, is making progress and stays.
    /// </summary>
    public bool IsStalled(TimeSpan timeout)
    {
        lock (_lock)
        {
            var since = Math.Max(_behindSince, Volatile.Read(ref _lastProgress));
            return _level != RoomFlow.Level.Normal && Environment.TickCount64 - since > (long)timeout.TotalMilliseconds;
        }
    }

    /// <summary>Works out the queue's level again and tells the room's flow control if it changed.</summary>
    public void Reevaluate()
    {
        RoomFlow.Level from, to;
        lock (_lock)
        {
            // _fromRoom is the room loop's; off that loop its length may be a moment old, and the loop's next
            // Deliver or Flush looks again.
            var queued = _fromRoom.Length + _pending.Length + _inFlight.Length;
            to = RoomFlow.LevelOf(!_closed, queued, _highWater, _limit);
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

        _flow.Moved(from, to);
    }

    /// <summary>
    /// Queues a frame other than a line (IRC mode's IrcNick, IrcClose) behind the lines queued so far, so it reaches
    /// the worker in order with them. The room's (IRC server's) loop only; false when over the limit.
    /// </summary>
    public bool Enqueue(FrameType type, ReadOnlySpan<byte> payload)
    {
        if (_closed)
        {
            return true;
        }

        if (_fromRoom.Length + Volatile.Read(ref _queuedBytes) + FrameHeader.Size + payload.Length > _hardCap)
        {
            return false;
        }

        _fromRoom.WriteFrame(type, payload);
        return true;
    }

    /// <summary>Starts writing what the room queued. The room's loop only, after each batch.</summary>
    public void Flush()
    {
        if (_fromRoom.Length == 0)
        {
            return;
        }

        bool start;
        lock (_lock)
        {
            if (_closed)
            {
                _fromRoom.Clear();
                return;
            }

            if (_pending.Length == 0)
            {
                (_fromRoom, _pending) = (_pending, _fromRoom);
            }
            else
            {
                _pending.WriteBytes(_fromRoom.WrittenSpan);
                _fromRoom.Clear();
            }

            start = TakeNextWriteLocked();
        }

        StartWriting(start);
        if (_level != RoomFlow.Level.Normal)
        {
            Reevaluate();
        }
    }

    /// <summary>The room cannot keep up with this member: cut it off. Its leave arrives later, as for any other.</summary>
    public void Drop(string reason) => _slot.Kill(reason);

    /// <summary>Tells the worker to say <paramref name="lastLine"/> to its client and exit. Any thread.</summary>
    public void SendShutdown(string lastLine)
    {
        bool start;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _pending.WriteTextFrame(FrameType.Shutdown, lastLine);
            start = TakeNextWriteLocked();
        }

        StartWriting(start);
    }

    /// <summary>The worker is gone: drop what is queued and take nothing more.</summary>
    public void Close()
    {
        TaskCompletionSource? drained;
        lock (_lock)
        {
            _closed = true;
            _pending.Clear();
            _queuedBytes = 0;
            drained = TakeDrainedLocked();
        }

        drained?.TrySetResult();
        _ring?.Close();
        Reevaluate();
    }

    /// <summary>
    /// <c>--worker-reuse</c>, on the room's loop, once the room has let the worker's client go: throws away the lines
    /// the room queued for that client and has not flushed yet. They are for a client that is gone, and none may be
    /// written after the next client's hand-off.
    /// </summary>
    public void DiscardRoomLines()
    {
        _fromRoom.Clear();
        Reevaluate();
    }

    /// <summary>
    /// Completes when nothing is queued or being written (or the worker is gone): what was sent before is out of the
    /// supervisor, so a hand-off may come next. The write loop keeps running as long as the worker reads its pipe.
    /// </summary>
    public Task WhenDrainedAsync()
    {
        lock (_lock)
        {
            if (_closed || (!_writing && _pending.Length == 0))
            {
                return Task.CompletedTask;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    private TaskCompletionSource? TakeDrainedLocked()
    {
        var drained = _drained;
        _drained = null;
        return drained;
    }

    // Under the lock: if no write is in flight and something is pending, make it the write in flight. The caller
    // starts the write loop after releasing the lock (no I/O under it).
    private bool TakeNextWriteLocked()
    {
        _queuedBytes = _pending.Length + _inFlight.Length;
        if (_writing || _closed || _pending.Length == 0)
        {
            return false;
        }

        _writing = true;
        (_pending, _inFlight) = (_inFlight, _pending);
        return true;
    }

    private void StartWriting(bool start)
    {
        if (start)
        {
            _ = WriteLoopAsync();
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (true)
            {
                await _slot.Pipe.WriteAsync(_inFlight.WrittenMemory);
                Volatile.Write(ref _lastProgress, Environment.TickCount64);
                bool done;
                TaskCompletionSource? drained = null;
                lock (_lock)
                {
                    _inFlight.Clear();
                    _queuedBytes = _pending.Length;
                    done = _pending.Length == 0 || _closed;
                    if (done)
                    {
                        _writing = false;
                        drained = TakeDrainedLocked();
                    }
                    else
                    {
                        (_pending, _inFlight) = (_inFlight, _pending);
                    }
                }

                if (_level != RoomFlow.Level.Normal)
                {
                    Reevaluate();
                }

                if (done)
                {
                    drained?.TrySetResult();
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The worker is gone; the reaper will account for it.
            TaskCompletionSource? drained;
            lock (_lock)
            {
                _closed = true;
                _writing = false;
                _pending.Clear();
                _inFlight.Clear();
                _queuedBytes = 0;
                drained = TakeDrainedLocked();
            }

            drained?.TrySetResult();
            Reevaluate();
        }
    }
}

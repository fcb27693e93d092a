using ChatFork.Platform;
using ChatFork.Protocol;

namespace ChatFork.Fanout;

/// <summary>
/// A worker's whole part in <c>--fanout shm</c>, for whatever loop drives it: the mapped ring and its reader, its
/// cursor page, and the frames about them from the supervisor (<see cref="FrameType.RingJoin"/>,
/// <see cref="FrameType.RingLine"/>, <see cref="FrameType.Doorbell"/>). No threads, no blocking, no system calls.
/// </summary>
/// <remarks>
/// A loop uses it so: hand it those frames as they come; <see cref="Drain"/> after each batch of them, then
/// <see cref="Publish"/> (what it has handed on, into its cursor page, which the supervisor reads for flow
/// control). While not <see cref="CaughtUp"/> it must not wait on the pipe (it may look, without waiting, between
/// drains, so that lines on the pipe are not held up behind a long run in the ring). When caught up it calls
/// <see cref="TrySleep"/>: true means it has said so in its page and may wait on the pipe, where the next line's
/// doorbell will find it; false means a line came meanwhile, and it reads on.
/// </remarks>
internal sealed class RingFeed : IDisposable
{
    private readonly RingMapping _ring;
    private readonly RingMapping _cursor;
    private readonly RingReader _reader;
    private readonly RingCursorPage _page;

    public RingFeed(RingMapping ring, long capacity, RingMapping cursor)
    {
        _ring = ring;
        _cursor = cursor;
        _reader = new RingReader(ring.AsRing(capacity));
        _page = cursor.AsCursorPage();
    }

    public RingReader Reader => _reader;

    /// <summary>Nothing more in the ring for this member now (or it has not joined yet).</summary>
    public bool CaughtUp => _reader.CaughtUp;

    /// <summary>A <see cref="FrameType.RingJoin"/> frame: where this member starts reading.</summary>
    public void OnJoin(Frame frame)
    {
        var reader = frame.Reader();
        var memberId = reader.ReadInt64();
        var position = reader.ReadInt64();
        reader.EnsureEnd();
        _reader.Join(position, memberId);
        Publish();
    }

    /// <summary>
    /// A <see cref="FrameType.RingLine"/> frame: first everything in the ring below its position (if not read yet),
    /// then the line itself, all to <paramref name="sink"/>.
    /// </summary>
    public void OnLine(Frame frame, RingLineSink sink)
    {
        var reader = frame.Reader();
        var sequence = reader.ReadInt64();
        var position = reader.ReadInt64();
        var line = reader.ReadRest();
        if (!_reader.Joined)
        {
            throw new ProtocolException("A RingLine frame arrived before RingJoin.");
        }

        // The position is a lower bound: what the room said before this line, the client reads before it. A reader
        // that is already past it (it read the ring while the line was on its way) writes it at once, after
        // broadcasts the room sequenced just after it; each client still sees one order, with no line missing.
        while (_reader.Position < position)
        {
            if (_reader.Drain(sink, int.MaxValue, upTo: position) == 0 && _reader.Position < position)
            {
                throw new ProtocolException($"A RingLine frame waits for ring position {position}, which the ring's head ({_reader.Head}) has not reached.");
            }
        }

        sink(sequence, line);
    }

    /// <summary>A <see cref="FrameType.Doorbell"/>: the supervisor took this worker's sleeping flag and rang. Nothing to do but read on.</summary>
    public static void OnDoorbell()
    {
    }

    /// <summary>Hands up to about <paramref name="maxBytes"/> of the ring's lines to <paramref name="sink"/>; the number of lines.</summary>
    public int Drain(RingLineSink sink, int maxBytes) => _reader.Drain(sink, maxBytes);

    /// <summary>Writes the position read up to into the cursor page (release: the supervisor may reuse what is below it).</summary>
    public void Publish()
    {
        if (_reader.Joined)
        {
            Volatile.Write(ref _page.Position, _reader.Position);
        }
    }

    /// <summary>
    /// Caught up: raises the sleeping flag, fences, and looks at the head once more. True: asleep, wait on the pipe
    /// (the supervisor publishes the head, fences and looks at the flag, so one of the two sees the other: the
    /// doorbell cannot be missed). False: a line came in between; the flag is taken back (if the supervisor took it
    /// first, a doorbell is on its way and is harmless) and the caller reads on.
    /// </summary>
    public bool TrySleep()
    {
        if (!_reader.Joined)
        {
            return true;
        }

        Publish();
        Interlocked.Exchange(ref _page.Sleeping, 1);
        if (_reader.CaughtUp)
        {
            return true;
        }

        Interlocked.Exchange(ref _page.Sleeping, 0);
        return false;
    }

    /// <summary>
    /// The member left (a <c>--reusable</c> worker between clients): the reader stops until the next
    /// <see cref="OnJoin"/>, and the sleeping flag comes down, so no doorbell is rung for a member that is gone.
    /// </summary>
    public void Leave()
    {
        _reader.Leave();
        Interlocked.Exchange(ref _page.Sleeping, 0);
    }

    public void Dispose()
    {
        _ring.Dispose();
        _cursor.Dispose();
    }
}

namespace ChatFork.Fanout;

/// <summary>
/// The supervisor's side of a room's ring: appends records and publishes them. One writer (the room's loop). It does
/// not know the readers: the caller (the room's <c>RoomRing</c>) makes sure a record never lands on bytes that a live
/// reader has not reported read (<see cref="Free"/>).
/// </summary>
internal sealed class RingWriter
{
    private readonly RingMemory _ring;
    private long _head;

    /// <summary>Initialises the header of a fresh (zeroed) ring.</summary>
    public RingWriter(RingMemory ring)
    {
        _ring = ring;
        _ring.StoredCapacity = ring.Capacity;
        _ring.Version = RingLayout.Version;
        _ring.Head = 0;
        _ring.Writing = 0;
        Volatile.Write(ref _ring.Magic, RingLayout.Magic);
    }

    public long Capacity => _ring.Capacity;

    /// <summary>The ring's memory (its header's head, for readers of it in this process).</summary>
    public RingMemory Memory => _ring;

    /// <summary>Where the next record goes: the end of what readers may read.</summary>
    public long Head => _head;

    /// <summary>Bytes that may be written without touching anything at or after <paramref name="oldestUnread"/>.</summary>
    public long Free(long oldestUnread) => _ring.Capacity - (_head - oldestUnread);

    /// <summary>
    /// Writes one record and publishes it (release: a reader that sees the new head sees the record). Returns the
    /// record's position. Throws if the record could never fit.
    /// </summary>
    public long Write(long sequence, long excluded, ReadOnlySpan<byte> line)
    {
        var size = RingLayout.RecordSize(line.Length);
        if (size > _ring.Capacity / 2)
        {
            throw new ArgumentException($"A line of {line.Length} bytes does not fit a ring of {_ring.Capacity} bytes.", nameof(line));
        }

        var at = _head;
        var end = at + size;
        // Say how far this write reaches before any of its bytes land, and fence, so that a reader that copied a
        // record now being overwritten finds out when it looks at Writing after its copy.
        Interlocked.Exchange(ref _ring.Writing, end);
        Span<byte> header = stackalloc byte[RingLayout.RecordHeaderSize];
        RingLayout.WriteRecordHeader(header, line.Length, sequence, excluded);
        _ring.CopyIn(at, header);
        _ring.CopyIn(at + RingLayout.RecordHeaderSize, line);
        _head = end;
        Volatile.Write(ref _ring.Head, end);
        return at;
    }
}

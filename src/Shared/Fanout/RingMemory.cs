namespace ChatFork.Fanout;

/// <summary>
/// A ring's header and data area at a fixed address (a shared mapping), with the copies that wrap round its end.
/// Owns nothing: whoever mapped the memory keeps it mapped for as long as this is used.
/// </summary>
internal readonly unsafe struct RingMemory
{
    private readonly byte* _base;

    public RingMemory(byte* mapping, long capacity)
    {
        if (!RingLayout.IsValidCapacity(capacity))
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "A ring's capacity must be a power of two between 64 KiB and 1 GiB.");
        }

        _base = mapping;
        Capacity = capacity;
    }

    public long Capacity { get; }

    public bool IsNull => _base == null;

    public ref long Head => ref *(long*)(_base + RingLayout.HeadOffset);

    public ref long Writing => ref *(long*)(_base + RingLayout.WritingOffset);

    public ref uint Magic => ref *(uint*)_base;

    public ref uint Version => ref *(uint*)(_base + 4);

    public ref long StoredCapacity => ref *(long*)(_base + 8);

    /// <summary>Copies <paramref name="source"/> into the ring at <paramref name="position"/>, wrapping round the end.</summary>
    public void CopyIn(long position, ReadOnlySpan<byte> source)
    {
        var at = (int)(position & (Capacity - 1));
        var first = (int)Math.Min(source.Length, Capacity - at);
        source[..first].CopyTo(new Span<byte>(_base + RingLayout.DataOffset + at, first));
        if (first < source.Length)
        {
            source[first..].CopyTo(new Span<byte>(_base + RingLayout.DataOffset, source.Length - first));
        }
    }

    /// <summary>Copies the ring's bytes at <paramref name="position"/> into <paramref name="destination"/>, wrapping round.</summary>
    public void CopyOut(long position, Span<byte> destination)
    {
        var at = (int)(position & (Capacity - 1));
        var first = (int)Math.Min(destination.Length, Capacity - at);
        new ReadOnlySpan<byte>(_base + RingLayout.DataOffset + at, first).CopyTo(destination);
        if (first < destination.Length)
        {
            new ReadOnlySpan<byte>(_base + RingLayout.DataOffset, destination.Length - first).CopyTo(destination[first..]);
        }
    }
}

namespace ChatFork.Sessions;

/// <summary>
/// The bytes waiting for a client: appended by whoever has output, up to a limit, and taken whole by the sender,
/// which swaps in its spare buffer so nothing is copied twice. Not thread-safe: its owner locks around it.
/// </summary>
internal sealed class OutgoingBytes
{
    private byte[] _buffer;

    public OutgoingBytes(int initialCapacity = 1024)
    {
        _buffer = new byte[initialCapacity];
    }

    public int Count { get; private set; }

    /// <summary>Appends <paramref name="bytes"/> and <paramref name="suffix"/>; false, appending nothing, past <paramref name="limit"/>.</summary>
    public bool TryAppend(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> suffix, int limit)
    {
        var needed = bytes.Length + suffix.Length;
        if (Count + needed > limit)
        {
            return false;
        }

        if (_buffer.Length - Count < needed)
        {
            Array.Resize(ref _buffer, Math.Max(Count + needed, _buffer.Length * 2));
        }

        bytes.CopyTo(_buffer.AsSpan(Count));
        suffix.CopyTo(_buffer.AsSpan(Count + bytes.Length));
        Count += needed;
        return true;
    }

    /// <summary>Takes everything: returns the full buffer (its first <paramref name="count"/> bytes) and keeps <paramref name="spare"/>.</summary>
    public byte[] TakeAll(byte[] spare, out int count)
    {
        var full = _buffer;
        count = Count;
        _buffer = spare;
        Count = 0;
        return full;
    }

    public void Clear() => Count = 0;
}

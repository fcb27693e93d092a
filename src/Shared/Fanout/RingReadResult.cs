namespace ChatFork.Fanout;

/// <summary>What <see cref="RingReader.TryRead"/> found.</summary>
internal enum RingReadResult
{
    /// <summary>A record for this member.</summary>
    Record,
    /// <summary>Nothing new: the reader is at the head.</summary>
    Empty,
}

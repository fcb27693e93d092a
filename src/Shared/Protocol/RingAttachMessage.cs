namespace ChatFork.Protocol;

/// <summary>
/// A frame that gives a worker a piece of <c>--fanout shm</c>'s shared memory, sent right after the worker
/// attached, twice: the room's ring (<see cref="RingPart.Ring"/>, with its capacity) and the worker's own cursor page
/// (<see cref="RingPart.CursorPage"/>). On Windows it names the file mapping; on Linux the name is empty and the memfd
/// rides on the frame as SCM_RIGHTS (read-only for the ring), as the client socket does on the hand-off.
/// </summary>
internal sealed record RingAttachMessage(RingPart Part, long Capacity, string MappingName)
{
    public void WriteTo(FrameBuffer buffer)
    {
        buffer.BeginFrame(FrameType.RingAttach);
        buffer.WriteByte((byte)Part);
        buffer.WriteInt64(Capacity);
        buffer.WriteUtf8WithLength(MappingName);
        buffer.EndFrame();
    }

    /// <summary>Bytes of the shared memory a part of this capacity maps.</summary>
    public static long SizeOf(RingPart part, long capacity) =>
        part == RingPart.Ring ? Fanout.RingLayout.MappingSize(capacity) : Fanout.RingLayout.CursorPageSize;

    public long Size => SizeOf(Part, Capacity);

    /// <summary>A ring's capacity is a power of two in range; a cursor page is one page.</summary>
    public bool IsValid => Part == RingPart.Ring
        ? Fanout.RingLayout.IsValidCapacity(Capacity)
        : Capacity == Fanout.RingLayout.CursorPageSize;

    public static RingAttachMessage Read(Frame frame)
    {
        var reader = frame.Reader();
        var part = reader.ReadByte();
        var capacity = reader.ReadInt64();
        var name = reader.ReadUtf8WithLength();
        reader.EnsureEnd();
        if (part > (byte)RingPart.CursorPage)
        {
            throw new ProtocolException($"A RingAttach frame names part {part}, which does not exist.");
        }

        return new RingAttachMessage((RingPart)part, capacity, name);
    }
}

/// <summary>Which piece of shared memory a <see cref="RingAttachMessage"/> gives.</summary>
internal enum RingPart : byte
{
    Ring = 0,
    CursorPage = 1,
}

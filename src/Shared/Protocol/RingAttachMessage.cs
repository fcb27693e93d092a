namespace ChatFork.Protocol;

/// <summary>
/// The frame that gives a worker the room's ring (<c>--fanout shm</c>), sent once, right after the worker attached:
/// the ring's capacity and, on Windows, the name of its file mapping. On Linux the name is empty and the ring's
/// memfd (opened read-only) rides on the frame as SCM_RIGHTS, as the client socket does on the hand-off.
/// </summary>
internal sealed record RingAttachMessage(long Capacity, string MappingName)
{
    public void WriteTo(FrameBuffer buffer)
    {
        buffer.BeginFrame(FrameType.RingAttach);
        buffer.WriteInt64(Capacity);
        buffer.WriteUtf8WithLength(MappingName);
        buffer.EndFrame();
    }

    public static RingAttachMessage Read(Frame frame)
    {
        var reader = frame.Reader();
        var capacity = reader.ReadInt64();
        var name = reader.ReadUtf8WithLength();
        reader.EnsureEnd();
        return new RingAttachMessage(capacity, name);
    }
}

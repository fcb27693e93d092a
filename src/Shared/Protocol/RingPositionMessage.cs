namespace ChatFork.Protocol;

/// <summary>
/// A worker's report on the room's ring: it has read everything below <see cref="Position"/>, and, when
/// <see cref="Sleeping"/>, it found nothing more and waits on its pipe for a <see cref="FrameType.Doorbell"/>.
/// Sent when it falls asleep and at least every quarter ring (and once a second while it reads).
/// </summary>
internal readonly record struct RingPositionMessage(long Position, bool Sleeping)
{
    public void WriteTo(FrameBuffer buffer)
    {
        buffer.BeginFrame(FrameType.RingPosition);
        buffer.WriteInt64(Position);
        buffer.WriteByte(Sleeping ? (byte)1 : (byte)0);
        buffer.EndFrame();
    }

    public static RingPositionMessage Read(Frame frame)
    {
        var reader = frame.Reader();
        var position = reader.ReadInt64();
        var sleeping = reader.ReadByte();
        reader.EnsureEnd();
        if (sleeping > 1)
        {
            throw new ProtocolException("A RingPosition frame's sleeping flag is neither 0 nor 1.");
        }

        return new RingPositionMessage(position, sleeping == 1);
    }
}

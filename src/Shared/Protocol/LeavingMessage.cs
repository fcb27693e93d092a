namespace ChatFork.Protocol;

/// <summary>A worker's last frame: why its client's session ended, and a detail for the log.</summary>
internal readonly record struct LeavingMessage(LeaveReason Reason, string Detail)
{
    public void WriteTo(FrameBuffer buffer)
    {
        buffer.BeginFrame(FrameType.Leaving);
        buffer.WriteByte((byte)Reason);
        buffer.WriteUtf8(Detail);
        buffer.EndFrame();
    }

    public static LeavingMessage Read(Frame frame)
    {
        var reader = frame.Reader();
        var reason = reader.ReadByte();
        if (!LeaveReasons.IsDefined(reason))
        {
            throw new ProtocolException($"A leaving frame names reason {reason}, which does not exist.");
        }

        return new LeavingMessage((LeaveReason)reason, reader.ReadRestUtf8());
    }
}

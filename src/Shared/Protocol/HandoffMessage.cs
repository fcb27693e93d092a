namespace ChatFork.Protocol;

/// <summary>
/// The frame that gives a worker its client. On Unix the socket itself travels beside it as SCM_RIGHTS ancillary
/// data and the frame is empty but for zeros; on Windows <see cref="DuplicatedSocket"/> holds what
/// <c>Socket.DuplicateAndClose</c> returned (the <c>WSAPROTOCOL_INFOW</c> of <c>WSADuplicateSocket</c>) and the
/// worker rebuilds the socket from it.
/// </summary>
internal sealed record HandoffMessage(int SocketOptions, byte[]? DuplicatedSocket)
{
    public void WriteTo(FrameBuffer buffer)
    {
        buffer.BeginFrame(FrameType.Handoff);
        buffer.WriteInt32(SocketOptions);
        var info = DuplicatedSocket ?? [];
        buffer.WriteUInt16(checked((ushort)info.Length));
        buffer.WriteBytes(info);
        buffer.EndFrame();
    }

    public static HandoffMessage Read(Frame frame)
    {
        var reader = frame.Reader();
        var options = reader.ReadInt32();
        var infoLength = reader.ReadUInt16();
        var info = infoLength == 0 ? null : reader.ReadBytes(infoLength).ToArray();
        reader.EnsureEnd();
        return new HandoffMessage(options, info);
    }
}

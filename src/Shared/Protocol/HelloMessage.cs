namespace ChatFork.Protocol;

/// <summary>
/// A worker's first frame: its pid and the secret the supervisor gave it on standard input. The supervisor hands no
/// connection to a pipe peer until both match the worker it started.
/// </summary>
internal readonly record struct HelloMessage(int ProcessId, byte[] Secret)
{
    public const int SecretLength = 32;

    public void WriteTo(FrameBuffer buffer)
    {
        buffer.BeginFrame(FrameType.Hello);
        buffer.WriteInt32(ProcessId);
        buffer.WriteByte((byte)Secret.Length);
        buffer.WriteBytes(Secret);
        buffer.EndFrame();
    }

    public static HelloMessage Read(Frame frame)
    {
        var reader = frame.Reader();
        var pid = reader.ReadInt32();
        var length = reader.ReadByte();
        if (length != SecretLength)
        {
            throw new ProtocolException($"A hello frame carries a secret of {length} bytes; {SecretLength} are expected.");
        }

        var secret = reader.ReadBytes(length).ToArray();
        reader.EnsureEnd();
        return new HelloMessage(pid, secret);
    }
}

namespace ChatFork.Protocol;

/// <summary>
/// A worker's log event. Workers do not load a logging framework (it would cost start-up time and memory in every
/// one of them); they send their events here and the supervisor writes them under the worker's role and pid, the
/// way PostgreSQL's logging collector gathers its children's output.
/// </summary>
internal readonly record struct LogMessage(WorkerLogLevel Level, string Text)
{
    public void WriteTo(FrameBuffer buffer)
    {
        buffer.BeginFrame(FrameType.Log);
        buffer.WriteByte((byte)Level);
        buffer.WriteUtf8(Text);
        buffer.EndFrame();
    }

    public static LogMessage Read(Frame frame)
    {
        var reader = frame.Reader();
        var level = reader.ReadByte();
        if (level > (byte)WorkerLogLevel.Error)
        {
            throw new ProtocolException($"A log frame names level {level}, which does not exist.");
        }

        return new LogMessage((WorkerLogLevel)level, reader.ReadRestUtf8());
    }
}

namespace ChatFork.Protocol;

/// <summary>A private message: the nick it is for and its text.</summary>
internal readonly record struct WhisperMessage(string Target, string Text)
{
    public void WriteTo(FrameBuffer buffer)
    {
        buffer.BeginFrame(FrameType.Whisper);
        buffer.WriteUtf8WithLength(Target);
        buffer.WriteUtf8(Text);
        buffer.EndFrame();
    }

    /// <summary>The same frame, with the text as UTF-8 bytes (the worker's chat text is never a string).</summary>
    public static void Write(FrameBuffer buffer, string target, ReadOnlySpan<byte> utf8Text)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        buffer.BeginFrame(FrameType.Whisper);
        buffer.WriteUtf8WithLength(target);
        buffer.WriteBytes(utf8Text);
        buffer.EndFrame();
    }

    public static WhisperMessage Read(Frame frame)
    {
        var reader = frame.Reader();
        var target = reader.ReadUtf8WithLength();
        return new WhisperMessage(target, reader.ReadRestUtf8());
    }
}

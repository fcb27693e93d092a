namespace ChatFork.Protocol;

/// <summary>One decoded frame. Its payload points into the decoder's buffer and is valid until the next read.</summary>
internal readonly ref struct Frame
{
    public Frame(FrameType type, ReadOnlySpan<byte> payload)
    {
        Type = type;
        Payload = payload;
    }

    public FrameType Type { get; }

    public ReadOnlySpan<byte> Payload { get; }

    public PayloadReader Reader() => new(Payload, Type);
}

using ChatFork.Irc;

namespace ChatFork.Protocol;

/// <summary>
/// One IRC command a worker parsed and forwards for the supervisor to act on: the verb as a number (never the
/// client's spelling) and its parameters, each one field, so the supervisor never parses IRC text itself.
/// </summary>
internal sealed record IrcCommandMessage(IrcVerb Verb, IReadOnlyList<string> Params)
{
    public void WriteTo(FrameBuffer buffer)
    {
        if (Params.Count > IrcParser.MaxParams)
        {
            throw new ArgumentException($"An IRC command has at most {IrcParser.MaxParams} parameters.", nameof(buffer));
        }

        buffer.BeginFrame(FrameType.IrcCommand);
        buffer.WriteByte((byte)Verb);
        buffer.WriteByte((byte)Params.Count);
        foreach (var p in Params)
        {
            buffer.WriteUtf8WithLength(p);
        }

        buffer.EndFrame();
    }

    public static IrcCommandMessage Read(Frame frame)
    {
        var reader = frame.Reader();
        var verb = reader.ReadByte();
        if (!IrcVerbs.IsDefined(verb))
        {
            throw new ProtocolException($"An IrcCommand frame names verb {verb}, which does not exist.");
        }

        var count = reader.ReadByte();
        if (count > IrcParser.MaxParams)
        {
            throw new ProtocolException($"An IrcCommand frame has {count} parameters; IRC allows {IrcParser.MaxParams}.");
        }

        var parameters = new string[count];
        for (var i = 0; i < count; i++)
        {
            parameters[i] = reader.ReadUtf8WithLength();
        }

        reader.EnsureEnd();
        return new IrcCommandMessage((IrcVerb)verb, parameters);
    }
}

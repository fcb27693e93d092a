namespace ChatFork.Protocol;

/// <summary>
/// An IRC worker's client has given NICK and USER (and ended CAP negotiation): register it under this nick. The
/// password is the one PASS gave, if any; only the supervisor knows whether one is needed (<c>--password</c>).
/// </summary>
internal readonly record struct IrcRegisterMessage(string Nick, string User, string RealName, string? Password)
{
    public void WriteTo(FrameBuffer buffer)
    {
        buffer.BeginFrame(FrameType.IrcRegister);
        buffer.WriteUtf8WithLength(Nick);
        buffer.WriteUtf8WithLength(User);
        buffer.WriteUtf8WithLength(RealName);
        buffer.WriteByte(Password is null ? (byte)0 : (byte)1);
        buffer.WriteUtf8WithLength(Password ?? "");
        buffer.EndFrame();
    }

    public static IrcRegisterMessage Read(Frame frame)
    {
        var reader = frame.Reader();
        var nick = reader.ReadUtf8WithLength();
        var user = reader.ReadUtf8WithLength();
        var realName = reader.ReadUtf8WithLength();
        var hasPassword = reader.ReadByte();
        var password = reader.ReadUtf8WithLength();
        reader.EnsureEnd();
        if (hasPassword > 1)
        {
            throw new ProtocolException($"An IrcRegister frame says {hasPassword} for whether a password follows.");
        }

        return new IrcRegisterMessage(nick, user, realName, hasPassword == 1 ? password : null);
    }
}

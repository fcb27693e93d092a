namespace ChatFork.Protocol;

/// <summary>
/// A peer broke the pipe protocol: a frame too long or too short, an unknown type, a truncated field, a frame out of
/// order. The side that sees it drops the peer; it never tries to resynchronise a byte stream it can no longer trust.
/// </summary>
internal sealed class ProtocolException : ChatForkException
{
    public ProtocolException() { }

    public ProtocolException(string message) : base(message) { }

    public ProtocolException(string message, Exception innerException) : base(message, innerException) { }
}

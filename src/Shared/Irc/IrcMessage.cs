namespace ChatFork.Irc;

/// <summary>
/// One IRC message as a client sent it (RFC 1459 section 2.3, RFC 2812 section 2.3, and the Modern IRC client
/// protocol's "Message format"): optional IRCv3 tags, an optional source (which a server ignores from a client), the
/// command in upper case, and up to 15 parameters, the last of which may hold spaces.
/// </summary>
internal sealed record IrcMessage(IReadOnlyDictionary<string, string> Tags, string? Source, string Command, IReadOnlyList<string> Params)
{
    /// <summary>The parameter at <paramref name="index"/>, or null if there are fewer.</summary>
    public string? Param(int index) => index < Params.Count ? Params[index] : null;
}

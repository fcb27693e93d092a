namespace ChatFork.Irc;

/// <summary>
/// The forwarded commands by name, and how many parameters each needs before it is worth the supervisor's time.
/// The worker answers a command with fewer with the numeric RFC 2812 gives for it (461, or 411/412/431); the
/// supervisor treats a frame with fewer as a broken worker.
/// </summary>
internal static class IrcVerbs
{
    private static readonly Dictionary<string, IrcVerb> s_byName = Enum.GetValues<IrcVerb>()
        .ToDictionary(v => Name(v), v => v, StringComparer.Ordinal);

    public static bool TryParse(string command, out IrcVerb verb) => s_byName.TryGetValue(command, out verb);

    public static bool IsDefined(byte value) => value is >= (byte)IrcVerb.Nick and <= (byte)IrcVerb.Time;

    /// <summary>The command as it is spelled on the wire.</summary>
    public static string Name(IrcVerb verb) => verb switch
    {
        IrcVerb.Nick => "NICK",
        IrcVerb.Join => "JOIN",
        IrcVerb.Part => "PART",
        IrcVerb.Topic => "TOPIC",
        IrcVerb.Names => "NAMES",
        IrcVerb.List => "LIST",
        IrcVerb.Kick => "KICK",
        IrcVerb.Mode => "MODE",
        IrcVerb.Privmsg => "PRIVMSG",
        IrcVerb.Notice => "NOTICE",
        IrcVerb.Away => "AWAY",
        IrcVerb.Who => "WHO",
        IrcVerb.Whois => "WHOIS",
        IrcVerb.Ison => "ISON",
        IrcVerb.Userhost => "USERHOST",
        IrcVerb.Lusers => "LUSERS",
        IrcVerb.Motd => "MOTD",
        IrcVerb.Version => "VERSION",
        IrcVerb.Time => "TIME",
        _ => throw new ArgumentOutOfRangeException(nameof(verb), verb, "not an IRC verb"),
    };

    /// <summary>Parameters the command must have when it reaches the supervisor.</summary>
    public static int MinParams(IrcVerb verb) => verb switch
    {
        IrcVerb.Nick or IrcVerb.Join or IrcVerb.Part or IrcVerb.Topic or IrcVerb.Mode or IrcVerb.Whois
            or IrcVerb.Ison or IrcVerb.Userhost => 1,
        IrcVerb.Kick or IrcVerb.Privmsg or IrcVerb.Notice => 2,
        _ => 0,
    };
}

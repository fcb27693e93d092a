namespace ChatFork.Supervisor.Irc;

/// <summary>A registered client, as the IRC server keeps it. Touched only by the server's loop.</summary>
internal sealed class IrcUser
{
    public IrcUser(IIrcMember member, string nick, string user, string realName, long signOnUnix)
    {
        Member = member;
        Nick = nick;
        User = user;
        RealName = realName;
        Host = member.Host;
        SignOnUnix = signOnUnix;
        LastSpokeUnix = signOnUnix;
    }

    public IIrcMember Member { get; }

    public string Nick { get; set; }

    public string User { get; }

    public string RealName { get; }

    public string Host { get; }

    /// <summary><c>nick!user@host</c>, the source of what this user does.</summary>
    public string Prefix => $"{Nick}!{User}@{Host}";

    public long SignOnUnix { get; }

    /// <summary>When it last sent a PRIVMSG or NOTICE (WHOIS's idle time, as ircds count it).</summary>
    public long LastSpokeUnix { get; set; }

    public string? Away { get; set; }

    /// <summary>User mode +i: hidden from WHO of everyone and LUSERS' visible count, but not from its channels.</summary>
    public bool Invisible { get; set; }

    public List<IrcChannel> Channels { get; } = [];

    /// <summary>Its queue overflowed and it was cut off; nothing more is sent to it.</summary>
    public bool Dropped { get; set; }
}

namespace ChatFork.Supervisor.Irc;

/// <summary>
/// A channel: its members (each an operator or not), its topic and its two modes, +t (only operators set the topic)
/// and +n (no messages from outside), both on when it is made, as on most servers. It exists while it has members.
/// </summary>
internal sealed class IrcChannel
{
    public IrcChannel(string name, long createdUnix)
    {
        Name = name;
        CreatedUnix = createdUnix;
    }

    /// <summary>The name as its creator spelled it.</summary>
    public string Name { get; }

    public long CreatedUnix { get; }

    public string? Topic { get; set; }

    public string TopicSetBy { get; set; } = "";

    public long TopicSetUnix { get; set; }

    public bool TopicLocked { get; set; } = true;

    public bool NoExternalMessages { get; set; } = true;

    /// <summary>Members in the order they joined, each with whether it is an operator (+o).</summary>
    public Dictionary<IrcUser, bool> Members { get; } = [];

    public bool Has(IrcUser user) => Members.ContainsKey(user);

    public bool IsOperator(IrcUser user) => Members.TryGetValue(user, out var op) && op;

    public string Modes => "+" + (NoExternalMessages ? "n" : "") + (TopicLocked ? "t" : "");
}

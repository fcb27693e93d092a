using ChatFork.Protocol;

namespace ChatFork.Supervisor.Irc;

/// <summary>One thing for the IRC server's loop to do.</summary>
internal readonly record struct IrcEvent(
    IrcEventKind Kind,
    IIrcMember Member,
    IrcRegisterMessage Registration = default,
    IrcCommandMessage? Command = null,
    string? Reason = null);

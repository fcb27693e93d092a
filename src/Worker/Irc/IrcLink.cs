using ChatFork.Irc;
using ChatFork.Protocol;

namespace ChatFork.Worker.Irc;

/// <summary>An IRC session's frames to the supervisor, on the worker's one <see cref="SupervisorLink"/>.</summary>
internal sealed class IrcLink : IIrcLink
{
    private readonly SupervisorLink _link;

    public IrcLink(SupervisorLink link)
    {
        _link = link;
    }

    public void Register(IrcRegisterMessage message) => _link.Append(message.WriteTo);

    public void Command(IrcCommandMessage message) => _link.Append(message.WriteTo);

    public bool Flush() => _link.Flush();
}

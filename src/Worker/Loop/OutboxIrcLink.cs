using System.Runtime.Versioning;
using ChatFork.Irc;
using ChatFork.Protocol;

namespace ChatFork.Worker.Loop;

/// <summary>An IRC session's frames to the supervisor, on the loop worker's one <see cref="SupervisorOutbox"/>.</summary>
[SupportedOSPlatform("linux")]
[SupportedOSPlatform("windows")]
internal sealed class OutboxIrcLink : IIrcLink
{
    private readonly SupervisorOutbox _outbox;

    public OutboxIrcLink(SupervisorOutbox outbox)
    {
        _outbox = outbox;
    }

    public void Register(IrcRegisterMessage message) => _outbox.Append(message.WriteTo);

    public void Command(IrcCommandMessage message) => _outbox.Append(message.WriteTo);

    public bool Flush() => _outbox.Flush();
}

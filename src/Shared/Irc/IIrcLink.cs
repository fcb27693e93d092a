using ChatFork.Protocol;

namespace ChatFork.Irc;

/// <summary>What an IRC session tells the server: in the process model, frames on the worker's pipe.</summary>
internal interface IIrcLink
{
    void Register(IrcRegisterMessage message);

    void Command(IrcCommandMessage message);

    /// <summary>Sends what was queued since the last flush. False if the server is gone.</summary>
    bool Flush();
}

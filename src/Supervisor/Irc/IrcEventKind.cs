namespace ChatFork.Supervisor.Irc;

/// <summary>What happened, for the IRC server's loop.</summary>
internal enum IrcEventKind
{
    /// <summary>A worker's client gave NICK and USER.</summary>
    Register,
    /// <summary>A registered client's command.</summary>
    Command,
    /// <summary>A worker exited (the reaper saw it): its client is gone.</summary>
    Left,
}

namespace ChatFork.Irc;

/// <summary>What <see cref="IrcPingTimer.Due"/> asks the session to do.</summary>
internal enum IrcPingAction
{
    None,
    SendPing,
    TimedOut,
}

namespace ChatFork.Irc;

/// <summary>Where a connection is in IRC registration.</summary>
internal enum IrcRegistrationState
{
    /// <summary>Waiting for NICK and USER (and CAP END, if CAP negotiation began).</summary>
    Unregistered,
    /// <summary>Asked the supervisor to register it; waiting for its answer (the nick, or 433).</summary>
    Registering,
    /// <summary>Welcomed (001): every command is open.</summary>
    Registered,
}

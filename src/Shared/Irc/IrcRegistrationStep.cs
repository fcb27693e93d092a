namespace ChatFork.Irc;

/// <summary>What <see cref="IrcRegistration"/> asks the session to do after a registration command.</summary>
internal enum IrcRegistrationStep
{
    None,
    /// <summary>Send the server an IrcRegister frame with the nick, user and password so far.</summary>
    Register,
    /// <summary>Answer 462 ERR_ALREADYREGISTERED.</summary>
    AlreadyRegistered,
}

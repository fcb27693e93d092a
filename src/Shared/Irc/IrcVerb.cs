namespace ChatFork.Irc;

/// <summary>
/// The IRC commands a worker forwards to the supervisor in an <see cref="Protocol.FrameType.IrcCommand"/> frame: the
/// ones that need the server's shared state (nicks, channels). The byte value travels on the pipe; never renumber.
/// Commands a worker answers alone (CAP, PASS, USER, PING, PONG, QUIT, ...) have no value here.
/// </summary>
internal enum IrcVerb : byte
{
    Nick = 1,
    Join = 2,
    Part = 3,
    Topic = 4,
    Names = 5,
    List = 6,
    Kick = 7,
    Mode = 8,
    Privmsg = 9,
    Notice = 10,
    Away = 11,
    Who = 12,
    Whois = 13,
    Ison = 14,
    Userhost = 15,
    Lusers = 16,
    Motd = 17,
    Version = 18,
    Time = 19,
}

namespace ChatFork.Irc;

/// <summary>What an IRC worker needs to know, from its command line (the supervisor's <c>--server-name</c> and limits).</summary>
internal sealed record IrcWorkerSettings(
    string ServerName,
    TimeSpan PingInterval,
    TimeSpan PingTimeout,
    int FloodBurst,
    double FloodLinesPerSecond);

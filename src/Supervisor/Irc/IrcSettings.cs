using System.Globalization;

namespace ChatFork.Supervisor.Irc;

/// <summary>The IRC mode's options, checked (<c>--server-name</c>, <c>--password</c>, the channel, ping and flood limits).</summary>
internal sealed record IrcSettings(
    string ServerName,
    string? Password,
    int MaxChannelsPerClient,
    int MaxChannels,
    TimeSpan PingInterval,
    TimeSpan PingTimeout,
    int FloodBurst,
    int FloodRate)
{
    public const int DefaultPort = 6667;

    /// <exception cref="ChatForkException">An option is out of range; the message names it.</exception>
    public static IrcSettings From(SupervisorOptions options)
    {
        var name = options.ServerName ?? DefaultServerName();
        Check(name.Length is >= 1 and <= 63 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'),
            $"--server-name must be 1 to 63 letters, digits, '.', '-' or '_', not '{name}'.");
        Check(options.Password is null || (options.Password.Length is >= 1 and <= 128 && !options.Password.Contains(' ', StringComparison.Ordinal)),
            "--password must be 1 to 128 characters without spaces.");
        Check(options.MaxChannels >= 1, "--max-channels must be at least 1.");
        Check(options.MaxChannelsTotal >= 1, "--max-channels-total must be at least 1.");
        Check(options.PingInterval >= 1, "--ping-interval must be at least 1 second.");
        Check(options.PingTimeout >= 1, "--ping-timeout must be at least 1 second.");
        Check(options.FloodBurst >= 1, "--flood-burst must be at least 1 line.");
        Check(options.FloodRate >= 1, "--flood-rate must be at least 1 line a second.");
        return new IrcSettings(name, options.Password, options.MaxChannels, options.MaxChannelsTotal,
            TimeSpan.FromSeconds(options.PingInterval), TimeSpan.FromSeconds(options.PingTimeout), options.FloodBurst, options.FloodRate);
    }

    /// <summary>What a worker's command line says of IRC mode (never the password: the supervisor checks it).</summary>
    public IEnumerable<string> WorkerArguments() =>
    [
        "--protocol", "irc",
        "--server-name", ServerName,
        "--ping-interval", ((int)PingInterval.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        "--ping-timeout", ((int)PingTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        "--flood-burst", FloodBurst.ToString(CultureInfo.InvariantCulture),
        "--flood-rate", FloodRate.ToString(CultureInfo.InvariantCulture),
    ];

    // The host name, as every IRC server defaults to; cut to what a server name may hold.
    private static string DefaultServerName()
    {
        var host = new string(System.Net.Dns.GetHostName().Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_').Take(63).ToArray());
        return host.Length > 0 ? host : "chatfork";
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new ChatForkException(message);
        }
    }
}

namespace ChatFork.Supervisor.Cluster;

/// <summary>
/// <c>--cluster</c> and the options that go with it, checked. Null in <see cref="ServerSettings.Cluster"/> when the
/// supervisor runs alone, which changes nothing.
/// </summary>
internal sealed record ClusterSettings(
    string RedisHost,
    int RedisPort,
    string Node,
    int StreamMax,
    int Hold,
    TimeSpan HeartbeatTtl)
{
    /// <summary>The keys' common prefix. ChatFork has one room; its name is part of every key.</summary>
    public const string KeyPrefix = "chatfork:lobby:";

    public string Url => $"redis://{RedisHost}:{RedisPort}";

    /// <exception cref="ChatForkException">An option is malformed or out of range; the message names it.</exception>
    public static ClusterSettings? From(SupervisorOptions options)
    {
        if (options.Cluster is null)
        {
            Require(options.Node is null, "--node needs --cluster.");
            return null;
        }

        if (!Uri.TryCreate(options.Cluster, UriKind.Absolute, out var uri) || uri.Scheme != "redis" || uri.Port <= 0 ||
            uri.AbsolutePath is not ("" or "/") || uri.UserInfo.Length > 0)
        {
            throw new ChatForkException($"--cluster must look like redis://HOST:PORT (for instance redis://127.0.0.1:6379), not '{options.Cluster}'.");
        }

        var node = options.Node ?? Environment.MachineName;
        Require(node.Length is > 0 and <= 32 && node.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'),
            $"--node must be 1 to 32 letters, digits, '-', '_' or '.', not '{node}'.");
        Require(options.Model == ServerModel.Process && options.Mode == ServerMode.Chat,
            "--cluster works with --mode chat and --model process only.");
        Require(options.ClusterStreamMax is >= 100 and <= 10_000_000, "--cluster-stream-max must be between 100 and 10000000.");
        Require(options.ClusterHold is >= 1 and <= 1_000_000, "--cluster-hold must be between 1 and 1000000.");
        Require(options.ClusterHeartbeatTtl is >= 1 and <= 60, "--cluster-heartbeat-ttl must be between 1 and 60 seconds.");
        return new ClusterSettings(uri.IdnHost, uri.Port, node, options.ClusterStreamMax, options.ClusterHold,
            TimeSpan.FromSeconds(options.ClusterHeartbeatTtl));
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ChatForkException(message);
        }
    }
}

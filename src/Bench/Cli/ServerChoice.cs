using ChatFork.Bench.Scenarios;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Cli;

/// <summary>Turns --server and --mode into a server kind and a mode that suit the scenario, or says why not.</summary>
internal static class ServerChoice
{
    public static ServerKind ParseKind(string? name) => name?.ToUpperInvariant() switch
    {
        null or "CHATFORK" => ServerKind.ChatFork,
        "SOCAT" => ServerKind.Socat,
        "NCAT" => ServerKind.Ncat,
        _ => throw new BenchException($"--server must be chatfork, socat or ncat, not '{name}'."),
    };

    public static ServerMode? ParseMode(string? name) => name?.ToUpperInvariant() switch
    {
        null => null,
        "ECHO" => ServerMode.Echo,
        "CHAT" => ServerMode.Chat,
        _ => throw new BenchException($"--mode must be echo or chat, not '{name}'."),
    };

    /// <summary>The mode to start <paramref name="kind"/> in for <paramref name="scenario"/>.</summary>
    public static ServerMode ModeFor(ServerKind kind, IScenario scenario, ServerMode? requested)
    {
        ServerMode? only = kind switch
        {
            ServerKind.Socat => ServerMode.Echo,
            ServerKind.Ncat => ServerMode.Chat,
            _ => null,
        };
        var wanted = scenario.Needs ?? requested ?? only ?? ServerMode.Chat;
        if (scenario.Needs is { } needs && requested is { } asked && asked != needs)
        {
            throw new BenchException($"{scenario.Name} needs {Article(needs)} server; --mode {Name(asked)} does not fit.");
        }

        if (only is { } fixedMode && fixedMode != wanted)
        {
            var instead = wanted == ServerMode.Echo ? "socat or chatfork" : "ncat or chatfork";
            throw new BenchException(
                $"{scenario.Name} needs {Article(wanted)} server, and {kind.ToString().ToLowerInvariant()} is "
                + $"{Article(fixedMode)} server; use --server {instead}.");
        }

        return wanted;
    }

    /// <summary>Room for the scenario's clients under ChatFork's limits, with a margin for connections still closing.</summary>
    public static int MaxClientsFor(IScenario scenario) => Math.Max(1024, scenario.MaxClients * 2);

    private static string Name(ServerMode mode) => mode == ServerMode.Echo ? "echo" : "chat";

    private static string Article(ServerMode mode) => mode == ServerMode.Echo ? "an echo" : "a chat";
}

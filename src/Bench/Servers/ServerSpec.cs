namespace ChatFork.Bench.Servers;

/// <summary>How to start one server for one scenario run.</summary>
/// <param name="Kind">Which server.</param>
/// <param name="Mode">Echo or chat; socat can only echo and ncat can only chat.</param>
/// <param name="MaxClients">For ChatFork's --max-clients and --max-clients-per-ip (every bench client is 127.0.0.1).</param>
/// <param name="Prespawn">ChatFork's --prespawn, or null to leave ChatFork's default.</param>
/// <param name="ChatForkPath">The chatfork executable; needed only for <see cref="ServerKind.ChatFork"/>.</param>
/// <param name="ExtraArgs">Passed to chatfork after the bench's own arguments.</param>
internal sealed record ServerSpec(
    ServerKind Kind,
    ServerMode Mode,
    int MaxClients,
    int? Prespawn,
    string? ChatForkPath,
    IReadOnlyList<string> ExtraArgs)
{
    /// <summary>The name used in tables: the server and, for ChatFork, what sets it apart.</summary>
    public string Label => Kind switch
    {
        ServerKind.ChatFork when Prespawn is { } prespawn =>
            $"chatfork --mode {ModeName} --prespawn {prespawn}",
        ServerKind.ChatFork => $"chatfork --mode {ModeName}",
        ServerKind.Socat => "socat (echo, fork per connection)",
        ServerKind.Ncat => "ncat --chat",
        _ => "external server",
    };

    /// <summary>
    /// Start the server under <c>perf stat -e</c> this event (e.g. <c>instructions</c>), counted only inside the
    /// scenario's window (<see cref="Measure.PerfWindow"/>). Null: no perf.
    /// </summary>
    public string? PerfEvent { get; init; }

    public string ModeName => Mode == ServerMode.Echo ? "echo" : "chat";
}

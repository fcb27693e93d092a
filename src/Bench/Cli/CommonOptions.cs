using CommandLine;

namespace ChatFork.Bench.Cli;

/// <summary>Options both verbs take. Public with setters because CommandLineParser fills them by reflection.</summary>
public abstract class CommonOptions
{
    [Option("chatfork", MetaValue = "PATH",
        HelpText = "The chatfork executable. Default: artifacts/publish/chatfork, then the Release and Debug build "
            + "outputs of src/Supervisor, under the repository root.")]
    public string? ChatForkPath { get; set; }

    [Option("chatfork-args", MetaValue = "\"ARGS\"",
        HelpText = "Extra arguments for chatfork, split on spaces; write it as --chatfork-args=\"--x 1\".")]
    public string? ChatForkArgs { get; set; }

    [Option("prespawn", MetaValue = "K", HelpText = "Passed to chatfork as --prespawn K.")]
    public int? Prespawn { get; set; }

    [Option("timeout", Default = 120, MetaValue = "SECONDS", HelpText = "Time bound for each scenario run.")]
    public int TimeoutSeconds { get; set; }

    [Option("json", MetaValue = "FILE", HelpText = "Write every figure and the machine's description as JSON.")]
    public string? JsonPath { get; set; }

    [Option('n', MetaValue = "N", HelpText = "Sequential connections (echo-seq 2000, greeting 500).")]
    public int? Count { get; set; }

    [Option('c', "clients", MetaValue = "C", HelpText = "Clients at once (echo-burst 200, memory 200, scale 1000).")]
    public int? Clients { get; set; }

    [Option('k', MetaValue = "K", HelpText = "Chat clients (chat-burst 50, fanout 50).")]
    public int? ChatClients { get; set; }

    [Option('m', MetaValue = "M", HelpText = "Lines per chat client (chat-burst 200).")]
    public int? Messages { get; set; }

    [Option('r', MetaValue = "R", HelpText = "Broadcast rounds (fanout 50).")]
    public int? Rounds { get; set; }

    [Option("perf-event", MetaValue = "EVENT",
        HelpText = "Count this perf event in the server's whole process tree over the timed part of chat-burst and "
            + "fanout, per delivery (compare: instructions by default; run: only when given). Needs perf.")]
    public string? PerfEvent { get; set; }

    internal IReadOnlyList<string> ChatForkExtraArgs =>
        ChatForkArgs?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    internal TimeSpan Timeout => TimeoutSeconds > 0
        ? TimeSpan.FromSeconds(TimeoutSeconds)
        : throw new BenchException($"--timeout must be a positive number of seconds, not {TimeoutSeconds}.");

    [Option("gap", MetaValue = "MS", HelpText = "greeting: pause after each connection, outside the timing (default 0: back to back).")]
    public int? Gap { get; set; }

    internal Scenarios.ScenarioSizes Sizes => new(Count, Clients, ChatClients, Messages, Rounds, Gap);
}

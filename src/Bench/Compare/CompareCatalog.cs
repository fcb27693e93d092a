using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Compare;

/// <summary>
/// What compare runs, and the targets ChatFork is held to. Echo scenarios are set against socat (a real
/// fork-per-connection server), chat scenarios against ncat's chat broker; the greeting is ChatFork against itself,
/// with a warm pool of workers and with none.
/// </summary>
internal static class CompareCatalog
{
    public const string Reuse = "--worker-reuse 1000";
    public const string Pipe = "--fanout pipe";
    public const string Shm = "--fanout shm";

    /// <summary>The name compare gives the spawn floor, which runs no server and so is no scenario.</summary>
    public const string SpawnFloor = Spawn.SpawnFloor.Name;

    public static IReadOnlyList<string> DefaultScenarios { get; } =
        [SpawnFloor, "echo-seq", "echo-burst", "greeting", "chat-burst", "fanout", "memory"];

    /// <summary>The variants issue 13 puts side by side in the chat cases: the build's default, pipes, shared memory.</summary>
    private static ChatForkVariant[] FanoutVariants(int? prespawn) =>
    [
        new("", prespawn),
        ChatForkVariant.WithOption(Pipe, "--fanout", "pipe", prespawn),
        ChatForkVariant.WithOption(Shm, "--fanout", "shm", prespawn),
    ];

    public static IReadOnlyList<CompareCase> All(int? prespawn)
    {
        ChatForkVariant[] plain = [new("", prespawn)];
        string[] fanouts = ["", Pipe, Shm];
        return
        [
            // Fresh: a new worker process for every connection (what fork means, the default); reuse: a worker
            // serves up to 1000 clients one after another (Apache's MaxConnectionsPerChild), when the build has it.
            new("echo-seq", "echo-seq", ServerMode.Echo, ServerKind.Socat,
            [new("fresh", prespawn), ChatForkVariant.WithOption(Reuse, "--worker-reuse", "1000", prespawn)],
            [
                new("conns_per_s", "fresh", Target.AtLeastPeerTimes(1, ">= 1.0x socat")),
                new("conns_per_s", Reuse, Target.AtLeastPeerTimes(2, ">= 2x socat")),
                new("latency_p50_ms", "fresh"),
                new("latency_p50_ms", Reuse),
                new("latency_p99_ms", "fresh"),
                new("failed", "fresh"),
                new("failed", Reuse),
            ]),
            new("echo-burst", "echo-burst", ServerMode.Echo, ServerKind.Socat, plain,
            [
                new("failed", Target: Target.Zero("0 (all served)")),
                new("last_echo_ms", Target: Target.NoMoreThanPeer("<= socat")),
                new("latency_p50_ms"),
                new("latency_p99_ms"),
            ]),
            // Latency of one connection, at 20 connections a second (a pause of 50 ms after each): what a client meets
            // on a server that is not being hammered. Back to back, each connection also waits behind the previous
            // one's worker exiting and its replacement starting (the cost echo-seq measures): shown as well.
            new("greeting", "greeting", ServerMode.Chat, ServerKind.Ncat,
            [
                new("warm", 8, TimeSpan.FromMilliseconds(50)), new("cold", 0, TimeSpan.FromMilliseconds(50)),
                new("warm, back to back", 8), new("cold, back to back", 0),
            ],
            [
                new("greeting_p50_ms", "warm", Target.Below(1, "< 1 ms")),
                new("greeting_p99_ms", "warm"),
                new("greeting_p50_ms", "cold", Target.Below(5, "< 5 ms")),
                new("greeting_p99_ms", "cold"),
                new("greeting_p50_ms", "warm, back to back"),
                new("greeting_p50_ms", "cold, back to back"),
            ]),
            new("chat-burst", "chat-burst", ServerMode.Chat, ServerKind.Ncat, FanoutVariants(prespawn),
            [
                .. fanouts.Select(v => new CompareRowSpec("lost", v, Target.Zero("0"))),
                new("duplicated"),
                new("out_of_order"),
                new("spliced_lines"),
                .. fanouts.Select(v => new CompareRowSpec("deliveries_per_s", v, Target.AtLeastPeerTimes(1, ">= ncat"))),
                new("last_receipt_ms"),
                .. fanouts.Select(v => new CompareRowSpec("perf_per_delivery", v)),
            ]) { CountInstructions = true },
            new("fanout", "fanout", ServerMode.Chat, ServerKind.Ncat, FanoutVariants(prespawn),
            [
                .. fanouts.Select(v => new CompareRowSpec("last_p50_ms", v, Target.NoMoreThanPeer("<= ncat"))),
                new("last_p99_ms"),
                new("missing"),
                .. fanouts.Select(v => new CompareRowSpec("perf_per_delivery", v)),
            ]) { CountInstructions = true },
            new("memory (chat)", "memory", ServerMode.Chat, ServerKind.Ncat, plain, MemoryRows()),
            new("memory (echo)", "memory", ServerMode.Echo, ServerKind.Socat, plain, MemoryRows()),
            new("scale", "scale", ServerMode.Chat, ServerKind.Ncat, plain,
            [
                new("missing", Target: Target.Zero("0 (all served and reached)")),
                new("greet_all_ms"),
                new("broadcast_last_ms", Target: Target.AtMost(1000, "<= 1000 ms")),
                new("broadcast_p50_ms"),
                new("pss_per_client_mib", Target: Target.AtMost(0.6, "<= 0.6 MiB")),
                new("root_pss_mib"),
                new("root_cpu_ms"),
                new("root_threads"),
                new("root_fds"),
                new("tree_threads"),
                new("processes"),
            ]),
        ];
    }

    /// <summary>Issue 13's target table, each line pointing at the figure compare judges it on.</summary>
    /// <param name="scaleClients">How many clients the scale case ran with (the issue asks for 10,000).</param>
    public static IReadOnlyList<IssueTarget> IssueTargets(int scaleClients)
    {
        var scale = scaleClients == 10_000 ? "10,000 clients" : $"{scaleClients:#,0} clients (the issue: 10,000)";
        string Named(string variant) => variant.Length == 0 ? "" : $", {variant}";
        string[] fanouts = ["", Pipe, Shm];
        return
        [
            .. fanouts.Select(v => new IssueTarget($"chat-burst 50 × 200{Named(v)}", "≥ 1.0× ncat's deliveries/s",
                GoalKind.AtLeastPeerTimes, 1, "chat-burst", v, "deliveries_per_s", "/s")),
            .. fanouts.Select(v => new IssueTarget($"chat-burst 50 × 200{Named(v)}", "no loss",
                GoalKind.Zero, 0, "chat-burst", v, "lost")),
            .. fanouts.Select(v => new IssueTarget($"fan-out to 49{Named(v)}", "p50 no later than ncat's",
                GoalKind.AtMostPeerTimes, 1, "fanout", v, "last_p50_ms", "ms")),
            new("echo-seq, --worker-reuse", "≥ 2× socat", GoalKind.AtLeastPeerTimes, 2, "echo-seq", Reuse,
                "conns_per_s", "/s"),
            new("echo-seq, fresh worker each time", "≥ 1.0× socat", GoalKind.AtLeastPeerTimes, 1, "echo-seq", "fresh",
                "conns_per_s", "/s"),
            new("spawn and exit of the worker binary", "≤ 1.2 ms", GoalKind.AtMost, 1.2, SpawnFloor, "",
                "spawn_worker_ms", "ms"),
            new($"{scale}: all served", "all served, the broadcast reaches all", GoalKind.Zero, 0, "scale", "",
                "missing"),
            new($"{scale}: Pss per client", "≤ 0.6 MiB", GoalKind.AtMost, 0.6, "scale", "", "pss_per_client_mib",
                "MiB"),
            new($"{scale}: broadcast to the last", "within 1 s", GoalKind.AtMost, 1000, "scale", "",
                "broadcast_last_ms", "ms"),
            new("greeting, warm", "p50 < 1 ms", GoalKind.Below, 1, "greeting", "warm", "greeting_p50_ms", "ms"),
        ];
    }

    private static CompareRowSpec[] MemoryRows() =>
    [
        new("pss_per_client_mib", Target: Target.AtMost(1.5, "<= 1.5 MiB")),
        new("marginal_per_client_mib"),
        new("total_mib"),
        new("processes"),
    ];
}

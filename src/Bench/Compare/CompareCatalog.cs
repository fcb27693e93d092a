using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Compare;

/// <summary>
/// What compare runs, and the targets ChatFork is held to. Echo scenarios are set against socat (a real
/// fork-per-connection server), chat scenarios against ncat's chat broker; the greeting is ChatFork against itself,
/// with a warm pool of workers and with none.
/// </summary>
internal static class CompareCatalog
{
    public static IReadOnlyList<string> DefaultScenarios { get; } =
        ["echo-seq", "echo-burst", "greeting", "chat-burst", "fanout", "memory"];

    public static IReadOnlyList<CompareCase> All(int? prespawn)
    {
        ChatForkVariant[] plain = [new("", prespawn)];
        return
        [
            new("echo-seq", "echo-seq", ServerMode.Echo, ServerKind.Socat, plain,
            [
                new("conns_per_s", Target: Target.AtLeastPeerTimes(2, ">= 2x socat")),
                new("latency_p50_ms"),
                new("latency_p99_ms"),
                new("failed"),
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
            new("chat-burst", "chat-burst", ServerMode.Chat, ServerKind.Ncat, plain,
            [
                new("lost", Target: Target.Zero("0")),
                new("duplicated"),
                new("out_of_order"),
                new("spliced_lines"),
                new("deliveries_per_s", Target: Target.AtLeastPeerTimes(1, ">= ncat")),
                new("last_receipt_ms"),
            ]),
            new("fanout", "fanout", ServerMode.Chat, ServerKind.Ncat, plain,
            [
                new("last_p50_ms", Target: Target.NoMoreThanPeer("<= ncat")),
                new("last_p99_ms"),
                new("missing"),
            ]),
            new("memory (chat)", "memory", ServerMode.Chat, ServerKind.Ncat, plain, MemoryRows()),
            new("memory (echo)", "memory", ServerMode.Echo, ServerKind.Socat, plain, MemoryRows()),
            new("scale", "scale", ServerMode.Chat, ServerKind.Ncat, plain,
            [
                new("missing", Target: Target.Zero("0 (all receive)")),
                new("connect_all_ms"),
                new("broadcast_last_ms"),
                new("pss_per_client_mib"),
                new("processes"),
            ]),
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

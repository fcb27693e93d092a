namespace ChatFork.Bench.Lab;

/// <summary>
/// One figure of the lab: its key (CSV column, JSON, chart file name), how a reader sees it, and where it comes from.
/// The same list drives results.csv, the charts and report.md, so they cannot disagree.
/// </summary>
/// <param name="Key">Stable name: the CSV column and <c>KEY.png</c>.</param>
/// <param name="Title">The chart's title.</param>
/// <param name="Short">A table header.</param>
/// <param name="Axis">The chart's y-axis label, with its unit.</param>
/// <param name="Unit">The unit, for the CSV header comment.</param>
/// <param name="Value">Reads the figure from a point.</param>
/// <param name="Charted">Whether it gets a chart (the others are only in the CSV and JSON).</param>
internal sealed record LabMetric(
    string Key, string Title, string Short, string Axis, string Unit, Func<LabPoint, double?> Value, bool Charted = true)
{
    public static IReadOnlyList<LabMetric> All { get; } =
    [
        new("greeting_p50_ms", "Connect to whole greeting, median (others connected)", "greeting p50 (ms)",
            "connect() to greeting's last line (ms)", "ms", p => p.GreetingP50Ms),
        new("greeting_p99_ms", "Connect to whole greeting, p99 (others connected)", "greeting p99 (ms)",
            "connect() to greeting's last line (ms)", "ms", p => p.GreetingP99Ms),
        new("fanout_p50_ms", "Fan-out: one line to all others, time to last receipt (median)", "fan-out p50 (ms)",
            "time to last receipt (ms)", "ms", p => p.FanoutP50Ms),
        new("deliveries_per_s", "Chat burst throughput (every client sends)", "deliveries/s",
            "deliveries per second", "1/s", p => p.DeliveriesPerSecond),
        new("pss_per_client_mib", "Memory per client: tree Pss / clients", "Pss/client (MiB)",
            "Pss per client (MiB)", "MiB", p => p.PssPerClientMiB),
        new("marginal_pss_per_client_mib", "Memory each client adds: (Pss - Pss idle) / clients",
            "added Pss/client (MiB)", "added Pss per client (MiB)", "MiB", p => p.MarginalPssPerClientMiB),
        new("processes", "Processes in the server's tree", "processes", "processes", "count", p => p.Processes),
        new("threads", "OS threads in the server's tree", "threads", "OS threads", "count", p => p.Threads),
        new("cpu_seconds", "CPU time used by the server's tree during the run", "CPU (s)", "CPU time, user + system (s)",
            "s", p => p.CpuSeconds),
        new("pss_total_mib", "Pss of the tree, clients connected", "Pss total (MiB)", "Pss (MiB)", "MiB",
            p => p.PssTotalMiB, Charted: false),
        new("pss_idle_mib", "Pss of the tree right after start, no clients", "Pss idle (MiB)", "Pss (MiB)", "MiB",
            p => p.PssIdleMiB, Charted: false),
        new("idle_processes", "Processes right after start", "idle processes", "processes", "count",
            p => p.IdleProcesses, Charted: false),
        new("idle_threads", "OS threads right after start", "idle threads", "OS threads", "count",
            p => p.IdleThreads, Charted: false),
        new("greetings_timed", "Greetings timed", "greetings", "count", "count", p => p.GreetingsTimed, Charted: false),
        new("fanout_rounds", "Fan-out rounds that reached everyone", "rounds", "count", "count", p => p.FanoutRounds,
            Charted: false),
        new("deliveries", "Chat burst deliveries", "deliveries", "count", "count", p => p.Deliveries, Charted: false),
        new("lost", "Chat burst deliveries lost", "lost", "count", "count", p => p.Lost, Charted: false),
        new("duration_s", "Time the point took, start to stop", "duration (s)", "s", "s", p => p.DurationSeconds,
            Charted: false),
    ];

    public static IEnumerable<LabMetric> Charts => All.Where(metric => metric.Charted);

    public string ChartFile => $"{Key}.png";
}

using System.Globalization;
using System.Text;
using ChatFork.Bench.Results;

namespace ChatFork.Bench.Lab;

/// <summary>report.md: the machine, the plan, a table of the main figures, every chart, and the notes and errors.</summary>
internal static class LabMarkdown
{
    public const string FileName = "report.md";

    // The table keeps to what fits on a page; the CSV has every figure.
    private static readonly string[] s_tableKeys =
    [
        "greeting_p50_ms", "greeting_p99_ms", "fanout_p50_ms", "deliveries_per_s", "pss_per_client_mib",
        "marginal_pss_per_client_mib", "processes", "threads", "cpu_seconds",
    ];

    public static string Render(LabReport report, IReadOnlyList<LabMetric> charts)
    {
        var machine = report.Machine;
        var plan = report.Plan;
        var text = new StringBuilder();
        text.Append("# ChatFork comparison lab: process vs thread vs async\n\n");
        text.Append(CultureInfo.InvariantCulture, $"`{report.Command}`\n\n");
        text.Append("## Machine\n\n");
        text.Append(CultureInfo.InvariantCulture, $"- {machine.Date:yyyy-MM-dd HH:mm} UTC\n");
        text.Append(CultureInfo.InvariantCulture, $"- CPU: {machine.CpuModel}, {machine.Cores} cores\n");
        text.Append(CultureInfo.InvariantCulture, $"- Linux {machine.Kernel}; {machine.OperatingSystem}; {machine.DotNet}\n");
        var fileLimit = machine.OpenFileLimit?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
        text.Append($"- load average at the start: {machine.LoadAverage ?? "unknown"}; open-file limit: {fileLimit}\n");
        text.Append(CultureInfo.InvariantCulture, $"- chatfork: `{report.ChatFork}`\n\n");

        var models = string.Join(", ", plan.Models);
        var clients = string.Join(", ", plan.Clients);
        var prespawn = plan.Prespawn.ToString(CultureInfo.InvariantCulture);
        var greetings = plan.Greetings.ToString(CultureInfo.InvariantCulture);
        var rounds = plan.FanoutRounds.ToString(CultureInfo.InvariantCulture);
        var lines = plan.BurstLines.ToString(CultureInfo.InvariantCulture);
        text.Append("## What was measured\n\n")
            .Append($"For each model ({models}) and each client count C ({clients}), a fresh ")
            .Append($"`chatfork --model M --mode chat` (the process model with `--prespawn {prespawn}`), then three ")
            .Append("phases, each with its own C clients:\n\n")
            .Append("1. **Room at rest.** C clients connect and are proved served; once the server is idle its process ")
            .Append("tree is read: Pss (`/proc/PID/smaps_rollup`), processes, OS threads (`Threads:` in ")
            .Append($"`/proc/PID/status`). Then {greetings} more connects, one at a time, each after the server is idle ")
            .Append("again, are timed from `connect()` to the greeting's last line (`... /help lists the commands`).\n")
            .Append($"2. **Fan-out.** One client sends a line, {rounds} times; the time until the last of the others ")
            .Append("has it (median).\n")
            .Append($"3. **Chat burst.** Every client sends {lines} lines at once; each line reaches the C-1 others; ")
            .Append("deliveries per second.\n\n")
            .Append("Nothing is timed before a readiness barrier has proved every client served (a line from one ")
            .Append("client must reach all the others; it often takes a second line, since the first can go out before ")
            .Append("the server has joined the last connections: `readiness` in results.json), and before the server's ")
            .Append("tree is idle again (for the process model: a worker per client and a full pool).\n\n")
            .Append("CPU time is what the server's whole tree used from its settled start to the end of phase 3: user ")
            .Append("+ system time of every process in it, plus what its reaped children used (the root's cutime and ")
            .Append("cstime, `/proc/PID/stat`). Pss per client is the tree's Pss divided by C (fixed costs shared out); ")
            .Append("added Pss per client subtracts the tree's Pss right after start first. The process model's tree ")
            .Append("includes its idle pooled workers.\n\n");

        text.Append("## Results\n\n");
        var metrics = s_tableKeys.Select(key => LabMetric.All.First(metric => metric.Key == key)).ToList();
        var table = new ResultTable(["model", "clients", .. metrics.Select(metric => metric.Short)]);
        foreach (var point in report.Points)
        {
            table.AddRow(
            [
                point.Model,
                point.Clients.ToString(CultureInfo.InvariantCulture),
                .. metrics.Select(metric => ResultTable.Format(metric.Value(point))),
            ]);
        }

        text.Append(table.ToMarkdown()).Append('\n');
        text.Append("Every figure, and a few more, is in `results.csv` and `results.json`.\n\n");

        foreach (var metric in charts)
        {
            text.Append(CultureInfo.InvariantCulture, $"### {metric.Title}\n\n");
            text.Append(CultureInfo.InvariantCulture, $"![{metric.Title}]({metric.ChartFile})\n\n");
        }

        var remarks = report.Points
            .SelectMany(point => (point.Error is { } error ? [$"error: {error}"] : Array.Empty<string>())
                .Concat(point.Notes)
                .Select(line => $"- {point.Model}, {point.Clients} clients: {line}"))
            .ToList();
        if (remarks.Count > 0)
        {
            text.Append("## Notes and errors\n\n");
            foreach (var line in remarks)
            {
                text.Append(line.ReplaceLineEndings(" ")).Append('\n');
            }
        }

        return text.ToString();
    }
}

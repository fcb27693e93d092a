using System.Globalization;
using System.Text.Json;
using ChatFork.Bench.Results;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Lab;

/// <summary>
/// <c>chatfork-bench lab</c>: the comparison lab. Sweeps ChatFork's models over client counts, a fresh server for
/// each point (<see cref="LabPointRunner"/>), and writes results.csv, results.json, a chart per figure and report.md
/// into one folder. Client counts run in the outer loop, so that the models of one size run close together in time
/// and a change in the machine's load hits them alike.
/// </summary>
internal sealed class LabCommand
{
    private readonly LabVerbOptions _options;

    public LabCommand(LabVerbOptions options)
    {
        _options = options;
    }

    public async Task<int> ExecuteAsync(CancellationToken cancellationToken)
    {
        var plan = LabPlan.From(_options);
        var chatFork = ToolLocator.FindChatFork(_options.ChatForkPath);
        var directory = Path.GetFullPath(_options.OutDirectory
            ?? Path.Combine("lab-results", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BenchException($"Could not create the output folder {directory}: {ex.Message}", ex);
        }

        var machine = MachineInfo.Collect();
        machine.ToolVersions["chatfork"] = chatFork;
        if (MachineInfo.BusyWarning() is { } busy)
        {
            Console.Error.WriteLine(busy);
        }

        Console.Error.WriteLine(
            $"Lab: {string.Join(", ", plan.Models)} at {string.Join(", ", plan.Clients)} clients ({plan.Points} points), "
            + $"against {chatFork}; results in {directory}");
        var points = new List<LabPoint>();
        foreach (var clients in plan.Clients)
        {
            foreach (var model in plan.Models)
            {
                Console.Error.Write($"[{points.Count + 1}/{plan.Points}] --model {model}, {clients} clients... ");
                var point = await LabPointRunner.RunAsync(plan, model, clients, chatFork, cancellationToken);
                cancellationToken.ThrowIfCancellationRequested();
                points.Add(point);
                Console.Error.WriteLine(point.Error is null
                    ? string.Create(CultureInfo.InvariantCulture, $"{point.DurationSeconds:0.0} s")
                    : $"failed: {point.Error}");
            }
        }

        var report = new LabReport(Program.CommandLine, machine, chatFork, plan, points);
        Write(Path.Combine(directory, LabCsv.FileName), LabCsv.Render(plan, points));
        Write(
            Path.Combine(directory, "results.json"),
            JsonSerializer.Serialize(report, LabJsonContext.Default.LabReport) + "\n");
        var charts = LabCharts.Write(directory, plan, points);
        Write(Path.Combine(directory, LabMarkdown.FileName), LabMarkdown.Render(report, charts));

        Console.Write(Summary(points));
        Console.Error.WriteLine($"Wrote {LabCsv.FileName}, results.json, {charts.Count} charts and {LabMarkdown.FileName} to {directory}.");
        var failed = points.Count(point => point.Error is not null);
        if (failed > 0)
        {
            Console.Error.WriteLine($"{failed} of {points.Count} points failed; report.md says why.");
        }

        return failed == 0 ? 0 : 1;
    }

    private static string Summary(IEnumerable<LabPoint> points)
    {
        var table = new ResultTable(
            "model", "clients", "greeting p50 ms", "p99 ms", "fan-out p50 ms", "deliveries/s", "Pss/client MiB",
            "processes", "threads", "CPU s");
        foreach (var point in points)
        {
            table.AddRow(
                point.Model,
                point.Clients.ToString(CultureInfo.InvariantCulture),
                ResultTable.Format(point.GreetingP50Ms),
                ResultTable.Format(point.GreetingP99Ms),
                ResultTable.Format(point.FanoutP50Ms),
                ResultTable.Format(point.DeliveriesPerSecond),
                ResultTable.Format(point.PssPerClientMiB),
                ResultTable.Format(point.Processes),
                ResultTable.Format(point.Threads),
                ResultTable.Format(point.CpuSeconds));
        }

        return table.ToText();
    }

    private static void Write(string path, string text)
    {
        try
        {
            File.WriteAllText(path, text);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BenchException($"Could not write {path}: {ex.Message}", ex);
        }
    }
}

using System.Globalization;
using System.Text;
using ChatFork.Bench.Cli;
using ChatFork.Bench.Results;
using ChatFork.Bench.Scenarios;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Compare;

/// <summary>
/// <c>chatfork-bench compare</c>: every chosen case against ChatFork and its peer, each server started fresh for
/// each run, then one table of figures, ratios and targets. When ChatFork cannot be found the peers still run, so
/// their figures are there to compare against later.
/// </summary>
internal sealed class CompareCommand
{
    private readonly CompareVerbOptions _options;

    public CompareCommand(CompareVerbOptions options)
    {
        _options = options;
    }

    public async Task<int> ExecuteAsync(CancellationToken cancellationToken)
    {
        var cases = ChooseCases();
        var timeout = _options.Timeout;
        var budget = _options.Budget;
        string? chatForkPath = null;
        try
        {
            chatForkPath = ToolLocator.FindChatFork(_options.ChatForkPath);
        }
        catch (BenchException ex)
        {
            Console.Error.WriteLine($"ChatFork is left out of this comparison: {ex.Message}");
        }

        // Taken before the runs: the date is when the comparison started, the load what the runs started under.
        var machine = MachineInfo.Collect();
        machine.ToolVersions["chatfork"] = chatForkPath ?? "not found";
        if (MachineInfo.BusyWarning() is { } busy)
        {
            Console.Error.WriteLine(busy);
        }

        var results = new List<ScenarioResult>();
        var rows = new List<ComparisonRow>();
        var table = new ResultTable("scenario", "metric", "chatfork", "peer", "ratio", "better", "target", "result");
        var runs = cases.Sum(c => c.Variants.Count + 1);
        var done = 0;
        foreach (var compareCase in cases)
        {
            var scenario = ScenarioCatalog.Create(compareCase.Scenario, _options.Sizes);
            var chatFork = new Dictionary<string, ScenarioResult?>();
            foreach (var variant in compareCase.Variants)
            {
                ScenarioResult? result = null;
                var variantScenario = variant.Gap > TimeSpan.Zero && scenario is GreetingScenario
                    ? new GreetingScenario(_options.Sizes.Count ?? 500) { Gap = variant.Gap }
                    : scenario;
                if (chatForkPath is not null)
                {
                    var spec = new ServerSpec(
                        ServerKind.ChatFork, compareCase.Mode, ServerChoice.MaxClientsFor(scenario), variant.Prespawn,
                        chatForkPath, _options.ChatForkExtraArgs);
                    result = await RunAsync(
                        compareCase, variantScenario, spec, variant.Name, ++done, runs, timeout, budget, cancellationToken);
                    results.Add(result);
                }
                else
                {
                    ++done;
                }

                chatFork[variant.Name] = result;
            }

            var peerSpec = new ServerSpec(
                compareCase.Peer, compareCase.Mode, ServerChoice.MaxClientsFor(scenario), null, null, []);
            var peer = await RunAsync(
                compareCase, scenario, peerSpec, null, ++done, runs, timeout, budget, cancellationToken);
            results.Add(peer);
            foreach (var spec in compareCase.Rows)
            {
                var row = MakeRow(compareCase, spec, chatFork.GetValueOrDefault(spec.Variant), peer);
                rows.Add(row);
                table.AddRow(
                    row.Scenario,
                    row.Metric,
                    ResultTable.Format(row.ChatFork),
                    ResultTable.Format(row.PeerValue),
                    row.Ratio is { } ratio ? ResultTable.Format(ratio) + "x" : "n/a",
                    ScenarioReport.BetterText(row.Better),
                    row.Target ?? "",
                    row.Verdict);
            }
        }

        var notes = Notes(results);
        Console.WriteLine();
        Console.Write(table.ToText());
        if (notes.Length > 0)
        {
            Console.WriteLine();
            Console.Write(notes);
        }

        if (_options.JsonPath is { } jsonPath)
        {
            JsonReport.Write(jsonPath, new BenchReport(Program.CommandLine, machine, results, rows));
            Console.Error.WriteLine($"Wrote {jsonPath}.");
        }

        if (_options.MarkdownPath is { } markdownPath)
        {
            WriteMarkdown(markdownPath, machine, table, notes);
            Console.Error.WriteLine($"Wrote {markdownPath}.");
        }

        return 0;
    }

    private static async Task<ScenarioResult> RunAsync(
        CompareCase compareCase,
        IScenario scenario,
        ServerSpec spec,
        string? variant,
        int index,
        int total,
        TimeSpan timeout,
        TimeSpan budget,
        CancellationToken cancellationToken)
    {
        Console.Error.Write($"[{index}/{total}] {compareCase.Title} against {spec.Label}... ");
        var result = await ScenarioRunner.RunAsync(scenario, spec, timeout, budget, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        result.Variant = string.IsNullOrEmpty(variant) ? null : variant;
        Console.Error.WriteLine(result.Error is null
            ? string.Create(CultureInfo.InvariantCulture, $"{result.DurationSeconds:0.0} s")
            : $"failed: {result.Error}");
        return result;
    }

    private static ComparisonRow MakeRow(
        CompareCase compareCase, CompareRowSpec spec, ScenarioResult? chatFork, ScenarioResult peer)
    {
        var chatForkMetric = chatFork?.Error is null ? chatFork?.Find(spec.MetricKey) : null;
        var peerMetric = peer.Error is null ? peer.Find(spec.MetricKey) : null;
        var template = chatForkMetric ?? peerMetric;
        var chatForkValue = chatForkMetric?.Value;
        var peerValue = peerMetric?.Value;
        double? ratio = chatForkValue is { } c && peerValue is { } p && p != 0 ? c / p : null;
        var label = template?.Label ?? spec.MetricKey;
        if (template is { Unit.Length: > 0 } && template.Unit != "/s")
        {
            label += $" ({template.Unit})";
        }

        if (spec.Variant.Length > 0)
        {
            var prespawn = compareCase.Variants.First(v => v.Name == spec.Variant).Prespawn;
            label += $", {spec.Variant}" + (prespawn is { } k ? $" (--prespawn {k})" : "");
        }

        // A ChatFork run that failed did not meet its target; one that was not run (no executable) is not judged.
        var verdict = spec.Target is not { } target ? ""
            : chatFork is { Error: not null } ? "MISS"
            : chatForkValue is not { } value ? "n/a"
            : target.Check(value, peerValue) switch
            {
                true => "PASS",
                false => "MISS",
                null => "n/a",
            };
        var peerName = compareCase.Peer.ToString().ToLowerInvariant();
        return new ComparisonRow(
            $"{compareCase.Title} vs {peerName}",
            label,
            spec.MetricKey,
            template?.Unit ?? "",
            chatFork?.Server ?? "chatfork (not run)",
            chatForkValue,
            peerName,
            peerValue,
            ratio,
            template?.Better ?? Better.None,
            spec.Target?.Text,
            verdict);
    }

    private static string Notes(List<ScenarioResult> results)
    {
        var text = new StringBuilder();
        foreach (var result in results)
        {
            var where = $"{result.Scenario} on {result.Server}" + (result.Variant is { } v ? $" ({v})" : "");
            if (result.Error is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $"error: {where}: {result.Error}\n");
            }

            foreach (var note in result.Notes)
            {
                text.Append(CultureInfo.InvariantCulture, $"note: {where}: {note}\n");
            }
        }

        return text.ToString();
    }

    private static void WriteMarkdown(string path, MachineInfo machine, ResultTable table, string notes)
    {
        var text = new StringBuilder();
        text.Append("# chatfork-bench compare\n\n");
        text.Append(CultureInfo.InvariantCulture,
            $"{machine.Date:yyyy-MM-dd HH:mm} UTC; {machine.CpuModel}, {machine.Cores} cores; Linux {machine.Kernel}; "
            + $"{machine.DotNet}\n\n");
        text.Append(table.ToMarkdown());
        if (notes.Length > 0)
        {
            text.Append('\n');
            foreach (var line in notes.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                text.Append("- ").Append(line).Append('\n');
            }
        }

        try
        {
            File.WriteAllText(path, text.ToString());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BenchException($"Could not write the Markdown table to {path}: {ex.Message}", ex);
        }
    }

    private List<CompareCase> ChooseCases()
    {
        var wanted = _options.Scenarios.Select(name => name.Trim()).Where(name => name.Length > 0).ToList();
        if (wanted.Count == 0)
        {
            wanted = [.. CompareCatalog.DefaultScenarios];
            if (_options.WithScale)
            {
                wanted.Add("scale");
            }
        }

        foreach (var name in wanted)
        {
            _ = ScenarioCatalog.Create(name, ScenarioSizes.Defaults);
        }

        return CompareCatalog.All(_options.Prespawn).Where(c => wanted.Contains(c.Scenario)).ToList();
    }
}

using System.Globalization;
using System.Text;
using ChatFork.Bench.Cli;
using ChatFork.Bench.Measure;
using ChatFork.Bench.Results;
using ChatFork.Bench.Scenarios;
using ChatFork.Bench.Servers;
using ChatFork.Bench.Spawn;

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
        var (cases, wantSpawn) = ChooseCases();
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

        // Variants need options that arrive in later builds; the build's --help says which it has.
        ChatForkFeatures? features = null;
        if (chatForkPath is not null)
        {
            try
            {
                features = ChatForkFeatures.Read(chatForkPath);
            }
            catch (BenchException ex)
            {
                Console.Error.WriteLine($"Could not read chatfork --help, so every variant is tried: {ex.Message}");
            }
        }

        var perfEvent = _options.PerfEvent ?? "instructions";
        var perfProblem = cases.Any(c => c.CountInstructions) ? PerfWindow.Probe(perfEvent) : null;
        if (perfProblem is not null)
        {
            Console.Error.WriteLine($"No CPU-per-delivery figures: {perfProblem}");
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
        var chatForkByCase = new Dictionary<(string Case, string Variant), ScenarioResult?>();
        var peerByCase = new Dictionary<string, (string Name, ScenarioResult Result)>();
        var unavailable = new Dictionary<(string Case, string Variant), string>();
        var runs = cases.Sum(c => c.Variants.Count + 1) + (wantSpawn ? 1 : 0);
        var done = 0;
        if (wantSpawn)
        {
            Console.Error.Write($"[{++done}/{runs}] spawn floor (posix_spawn + waitpid, best of 3 x {_options.SpawnCount})... ");
            var spawn = SpawnFloor.Run(chatForkPath, PositiveSpawnCount());
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{spawn.DurationSeconds:0.0} s"));
            results.Add(spawn);
            chatForkByCase[(CompareCatalog.SpawnFloor, "")] = spawn;
            AddSpawnRows(spawn, chatForkPath is not null, rows, table);
        }

        foreach (var compareCase in cases)
        {
            var scenario = ScenarioCatalog.Create(compareCase.Scenario, _options.Sizes with { Clients = ClientsFor(compareCase) });
            var chatFork = new Dictionary<string, ScenarioResult?>();
            var perf = compareCase.CountInstructions && perfProblem is null ? perfEvent : null;
            foreach (var variant in compareCase.Variants)
            {
                ScenarioResult? result = null;
                var variantScenario = variant.Gap > TimeSpan.Zero && scenario is GreetingScenario
                    ? new GreetingScenario(_options.Sizes.Count ?? 500) { Gap = variant.Gap }
                    : scenario;
                if (chatForkPath is not null && features?.Unavailable(variant) is { } missing)
                {
                    unavailable[(compareCase.Title, variant.Name)] = missing;
                    Console.Error.WriteLine($"[{++done}/{runs}] {compareCase.Title}, {variant.Name}: {missing}.");
                }
                else if (chatForkPath is not null)
                {
                    var spec = new ServerSpec(
                        ServerKind.ChatFork, compareCase.Mode, ServerChoice.MaxClientsFor(scenario), variant.Prespawn,
                        chatForkPath, [.. _options.ChatForkExtraArgs, .. variant.Args])
                    {
                        PerfEvent = perf,
                    };
                    result = await RunAsync(
                        compareCase, variantScenario, spec, variant.Name, ++done, runs, timeout, budget, cancellationToken);
                    results.Add(result);
                }
                else
                {
                    ++done;
                }

                chatFork[variant.Name] = result;
                chatForkByCase[(compareCase.Title, variant.Name)] = result;
            }

            var peerSpec = new ServerSpec(
                compareCase.Peer, compareCase.Mode, ServerChoice.MaxClientsFor(scenario), null, null, [])
            {
                PerfEvent = perf,
            };
            var peer = await RunAsync(
                compareCase, scenario, peerSpec, null, ++done, runs, timeout, budget, cancellationToken);
            results.Add(peer);
            peerByCase[compareCase.Title] = (compareCase.Peer.ToString().ToLowerInvariant(), peer);
            foreach (var spec in compareCase.Rows)
            {
                var row = MakeRow(compareCase, spec, chatFork.GetValueOrDefault(spec.Variant), peer);
                rows.Add(row);
                var missingText = unavailable.ContainsKey((compareCase.Title, spec.Variant)) ? "not available in this build"
                    : spec.MetricKey == "perf_per_delivery" && perfProblem is not null ? "no perf count"
                    : null;
                table.AddRow(
                    row.Scenario,
                    row.Metric,
                    row.ChatFork is null && missingText is not null ? missingText : ResultTable.Format(row.ChatFork),
                    spec.MetricKey == "perf_per_delivery" && perfProblem is not null ? "no perf count"
                        : ResultTable.Format(row.PeerValue),
                    row.Ratio is { } ratio ? ResultTable.Format(ratio) + "x" : "n/a",
                    ScenarioReport.BetterText(row.Better),
                    row.Target ?? "",
                    row.Verdict);
            }
        }

        var targets = JudgeTargets(chatForkByCase, peerByCase, unavailable);
        var notes = Notes(results, perfProblem, unavailable);
        Console.WriteLine();
        Console.Write(table.ToText());
        if (targets.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("Issue 13's targets:");
            Console.Write(TargetTable(targets).ToText());
        }

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
            WriteMarkdown(markdownPath, machine, table, targets, notes);
            Console.Error.WriteLine($"Wrote {markdownPath}.");
        }

        return 0;
    }

    private int ScaleClients => _options.ScaleClients ?? _options.Sizes.Clients ?? 1000;

    private int? ClientsFor(CompareCase compareCase) =>
        compareCase.Scenario == "scale" ? ScaleClients : _options.Sizes.Clients;

    private int PositiveSpawnCount() => _options.SpawnCount > 0
        ? _options.SpawnCount
        : throw new BenchException($"--spawn-count must be a positive number, not {_options.SpawnCount}.");

    private static void AddSpawnRows(ScenarioResult spawn, bool haveChatFork, List<ComparisonRow> rows, ResultTable table)
    {
        foreach (var (key, target) in new (string, Target?)[]
            { ("spawn_trivial_ms", null), ("spawn_worker_ms", Target.AtMost(1.2, "<= 1.2 ms")) })
        {
            if (spawn.Find(key) is not { } metric)
            {
                if (key == "spawn_worker_ms" && !haveChatFork)
                {
                    continue;
                }

                metric = new Metric(key, "spawn and exit, chatfork-worker --help", null, "ms", Better.Lower);
            }

            var verdict = target is null ? "" : metric.Value is { } v ? (target.Check(v, null) == true ? "PASS" : "MISS") : "n/a";
            var row = new ComparisonRow("spawn floor", $"{metric.Label} (ms)", key, "ms", spawn.Server, metric.Value,
                "none", null, null, Better.Lower, target?.Text, verdict);
            rows.Add(row);
            table.AddRow(row.Scenario, row.Metric, ResultTable.Format(row.ChatFork), "", "n/a",
                ScenarioReport.BetterText(row.Better), row.Target ?? "", row.Verdict);
        }
    }

    private List<TargetVerdict> JudgeTargets(
        Dictionary<(string Case, string Variant), ScenarioResult?> chatFork,
        Dictionary<string, (string Name, ScenarioResult Result)> peers,
        Dictionary<(string Case, string Variant), string> unavailable)
    {
        var scaleClients = ScaleClients;
        var verdicts = new List<TargetVerdict>();
        foreach (var target in CompareCatalog.IssueTargets(scaleClients))
        {
            if (unavailable.TryGetValue((target.Case, target.Variant), out var why))
            {
                verdicts.Add(TargetVerdict.Judge(target, null, null, null, why));
                continue;
            }

            // A case compare did not run is left out of the table.
            if (!chatFork.TryGetValue((target.Case, target.Variant), out var result))
            {
                continue;
            }

            double? peerValue = null;
            string? peerName = null;
            if (peers.TryGetValue(target.Case, out var peer))
            {
                peerName = peer.Name;
                peerValue = peer.Result.Error is null ? peer.Result.Find(target.Key)?.Value : null;
            }

            var value = result?.Error is null ? result?.Find(target.Key)?.Value : null;
            var reason = result is null ? "ChatFork was not run"
                : result.Error is { } error ? $"the run failed: {error}"
                : null;
            verdicts.Add(TargetVerdict.Judge(target, value, peerValue, peerName, reason));
        }

        return verdicts;
    }

    private static ResultTable TargetTable(IReadOnlyList<TargetVerdict> verdicts)
    {
        var table = new ResultTable("target", "goal", "measured", "result", "by how much");
        foreach (var verdict in verdicts)
        {
            table.AddRow(verdict.What, verdict.Goal, verdict.Measured, verdict.Result, verdict.Margin);
        }

        return table;
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

    private static string Notes(
        List<ScenarioResult> results, string? perfProblem, Dictionary<(string Case, string Variant), string> unavailable)
    {
        var text = new StringBuilder();
        if (perfProblem is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"note: no CPU-per-delivery figures: {perfProblem}\n");
        }

        foreach (var ((title, variant), why) in unavailable)
        {
            text.Append(CultureInfo.InvariantCulture, $"note: {title}, {variant}: {why}.\n");
        }

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

    private static void WriteMarkdown(
        string path, MachineInfo machine, ResultTable table, IReadOnlyList<TargetVerdict> targets, string notes)
    {
        var text = new StringBuilder();
        text.Append("# chatfork-bench compare\n\n");
        text.Append(CultureInfo.InvariantCulture,
            $"{machine.Date:yyyy-MM-dd HH:mm} UTC; {machine.CpuModel}, {machine.Cores} cores; Linux {machine.Kernel}; "
            + $"{machine.DotNet}\n\n");
        text.Append(table.ToMarkdown());
        if (targets.Count > 0)
        {
            text.Append("\n## Issue 13's targets\n\n");
            text.Append(TargetTable(targets).ToMarkdown());
        }

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

    private (List<CompareCase> Cases, bool Spawn) ChooseCases()
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

        var spawn = wanted.Remove(CompareCatalog.SpawnFloor);
        foreach (var name in wanted)
        {
            _ = ScenarioCatalog.Create(name, ScenarioSizes.Defaults);
        }

        return (CompareCatalog.All(_options.Prespawn).Where(c => wanted.Contains(c.Scenario)).ToList(), spawn);
    }
}

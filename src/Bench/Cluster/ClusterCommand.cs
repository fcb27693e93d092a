using System.Globalization;
using System.Text;
using ChatFork.Bench.Cli;
using ChatFork.Bench.Results;
using ChatFork.Bench.Scenarios;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Cluster;

/// <summary>
/// <c>chatfork-bench cluster</c>: chat-burst and fanout, each against three set-ups in one run: chatfork alone (no
/// Redis), one chatfork with --cluster, and two chatforks with --cluster sharing one Redis, the clients spread over
/// both (client i on host i mod 2). Both "hosts" are on this machine's loopback: the figures show what the Redis
/// round trip and the shared stream cost, not what a second machine would add.
/// </summary>
internal sealed class ClusterCommand
{
    private static readonly string[] s_scenarios = ["chat-burst", "fanout"];
    private static readonly (string Key, string Label)[] s_columns =
    [
        ("deliveries_per_s", "deliveries/s"), ("last_receipt_ms", "last receipt ms"), ("lost", "lost"),
        ("duplicated", "dup"), ("out_of_order", "out of order"), ("last_p50_ms", "fanout p50 ms"),
        ("last_p99_ms", "fanout p99 ms"), ("missing", "missing"),
    ];

    private readonly ClusterVerbOptions _options;

    public ClusterCommand(ClusterVerbOptions options)
    {
        _options = options;
    }

    public async Task<int> ExecuteAsync(CancellationToken cancellationToken)
    {
        var chatfork = ToolLocator.FindChatFork(_options.ChatForkPath);
        var machine = MachineInfo.Collect();
        var budget = TimeSpan.FromSeconds(Math.Max(1, _options.BudgetSeconds));
        var results = new List<ScenarioResult>();
        foreach (var name in s_scenarios)
        {
            foreach (var hosts in new[] { 0, 1, 2 })
            {
                var scenario = ScenarioCatalog.Create(name, _options.Sizes);
                var label = hosts == 0 ? "alone" : hosts == 1 ? "--cluster, 1 host" : "--cluster, 2 hosts";
                Console.Error.WriteLine($"Running {name} against chatfork {label}...");
                results.Add(await RunAsync(scenario, chatfork, hosts, label, budget, cancellationToken));
            }
        }

        Console.Write(Table(results));
        foreach (var r in results.Where(r => r.Error is not null || r.Notes.Count > 0))
        {
            Console.WriteLine($"{r.Scenario}, {r.Variant}: {r.Error ?? string.Join(" ", r.Notes)}");
        }

        if (_options.JsonPath is { } jsonPath)
        {
            JsonReport.Write(jsonPath, new BenchReport(Program.CommandLine, machine, results, null));
            Console.Error.WriteLine($"Wrote {jsonPath}.");
        }

        return results.All(r => r.Error is null) ? 0 : 1;
    }

    private async Task<ScenarioResult> RunAsync(
        IScenario scenario, string chatfork, int hosts, string label, TimeSpan budget, CancellationToken cancellationToken)
    {
        var result = new ScenarioResult(scenario.Name, $"chatfork {label}") { Variant = label };
        await using var redis = hosts > 0 ? await BenchRedis.StartAsync(_options.RedisServerPath, cancellationToken) : null;
        var servers = new List<ServerUnderTest>();
        try
        {
            for (var i = 0; i < Math.Max(1, hosts); i++)
            {
                var extra = new List<string>(_options.ChatForkExtraArgs);
                if (redis is not null)
                {
                    extra.AddRange(["--cluster", redis.Url, "--node", $"bench-{i + 1}"]);
                }

                var spec = new ServerSpec(ServerKind.ChatFork, ServerMode.Chat, ServerChoice.MaxClientsFor(scenario),
                    _options.Prespawn, chatfork, extra);
                servers.Add(await ServerUnderTest.StartAsync(spec, cancellationToken));
            }

            await ScenarioRunner.RunOnAsync(scenario, servers[0], _options.Timeout, budget, result, cancellationToken,
                servers.Count > 1 ? servers.Select(s => s.Endpoint).ToList() : null);
        }
        catch (BenchException ex)
        {
            result.Error = ex.Message;
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }

        return result;
    }

    private static string Table(List<ScenarioResult> results)
    {
        var rows = new List<string[]>();
        rows.Add(["scenario", "set-up", .. s_columns.Select(c => c.Label)]);
        foreach (var r in results)
        {
            rows.Add([r.Scenario, r.Variant ?? "", .. s_columns.Select(c => Cell(r.Find(c.Key)?.Value))]);
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(row => row[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }

        return text.ToString();
    }

    private static string Cell(double? value) => value switch
    {
        null => "-",
        >= 100 => value.Value.ToString("0", CultureInfo.InvariantCulture),
        _ => value.Value.ToString("0.##", CultureInfo.InvariantCulture),
    };
}

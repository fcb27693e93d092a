using ChatFork.Bench.Cli;
using ChatFork.Bench.Results;
using ChatFork.Bench.Scenarios;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench;

/// <summary><c>chatfork-bench run SCENARIO</c>: one scenario against one server, started here or already running.</summary>
internal sealed class RunCommand
{
    private readonly RunVerbOptions _options;

    public RunCommand(RunVerbOptions options)
    {
        _options = options;
    }

    public async Task<int> ExecuteAsync(CancellationToken cancellationToken)
    {
        if (_options.Scenario == Spawn.SpawnFloor.Name)
        {
            return RunSpawnFloor();
        }

        var scenario = ScenarioCatalog.Create(_options.Scenario, _options.Sizes);
        var timeout = _options.Timeout;
        var requestedMode = ServerChoice.ParseMode(_options.Mode);
        var machine = MachineInfo.Collect();
        if (MachineInfo.BusyWarning() is { } busy)
        {
            Console.Error.WriteLine(busy);
        }

        ScenarioResult result;
        if (_options.Target is { } target)
        {
            if (_options.Server is not null)
            {
                throw new BenchException("Give either --target (a running server) or --server (one to start), not both.");
            }

            var endpoint = TargetAddress.Parse(target);
            var mode = scenario.Needs ?? requestedMode ?? ServerMode.Chat;
            var server = ServerUnderTest.Attach(endpoint, _options.ServerPid, mode);
            result = new ScenarioResult(scenario.Name, server.Label);
            Console.Error.WriteLine($"Running {scenario.Name} against {server.Label}...");
            await ScenarioRunner.RunOnAsync(scenario, server, timeout, timeout, result, cancellationToken);
        }
        else
        {
            var kind = ServerChoice.ParseKind(_options.Server);
            var spec = new ServerSpec(
                kind,
                ServerChoice.ModeFor(kind, scenario, requestedMode),
                ServerChoice.MaxClientsFor(scenario),
                _options.Prespawn,
                kind == ServerKind.ChatFork ? ToolLocator.FindChatFork(_options.ChatForkPath) : null,
                _options.ChatForkExtraArgs)
            {
                PerfEvent = _options.PerfEvent,
            };
            if (spec.ChatForkPath is { } chatForkPath)
            {
                machine.ToolVersions["chatfork"] = chatForkPath;
            }

            Console.Error.WriteLine($"Running {scenario.Name} against {spec.Label}...");
            result = await ScenarioRunner.RunAsync(scenario, spec, timeout, timeout, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        Console.Write(ScenarioReport.ToText(result));
        if (_options.JsonPath is { } jsonPath)
        {
            JsonReport.Write(jsonPath, new BenchReport(Program.CommandLine, machine, [result], null));
            Console.Error.WriteLine($"Wrote {jsonPath}.");
        }

        return result.Error is null ? 0 : 1;
    }

    /// <summary><c>run spawn</c>: the spawn floor alone; no server is started.</summary>
    private int RunSpawnFloor()
    {
        var machine = MachineInfo.Collect();
        string? chatForkPath = null;
        try
        {
            chatForkPath = ToolLocator.FindChatFork(_options.ChatForkPath);
            machine.ToolVersions["chatfork"] = chatForkPath;
        }
        catch (BenchException ex)
        {
            Console.Error.WriteLine($"Only the trivial program is measured: {ex.Message}");
        }

        var count = _options.Count ?? Spawn.SpawnFloor.DefaultCount;
        if (count <= 0)
        {
            throw new BenchException($"-n must be a positive number, not {count}.");
        }

        Console.Error.WriteLine($"Spawning each program {count} times, best of {Spawn.SpawnFloor.Repeats}...");
        var result = Spawn.SpawnFloor.Run(chatForkPath, count);
        Console.Write(ScenarioReport.ToText(result));
        if (_options.JsonPath is { } jsonPath)
        {
            JsonReport.Write(jsonPath, new BenchReport(Program.CommandLine, machine, [result], null));
            Console.Error.WriteLine($"Wrote {jsonPath}.");
        }

        return result.Metrics.Any(metric => metric.Key.StartsWith("spawn_", StringComparison.Ordinal) && metric.Value is null)
            ? 1
            : 0;
    }
}

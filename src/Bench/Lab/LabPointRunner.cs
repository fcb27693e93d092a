using System.Globalization;
using ChatFork.Bench.Measure;
using ChatFork.Bench.Results;
using ChatFork.Bench.Scenarios;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Lab;

/// <summary>
/// Measures one point of the sweep: starts a fresh chatfork in one model, runs the three phases against it, reads its
/// tree before and after, and stops it (SIGTERM, then by pid; <see cref="ServerUnderTest"/> kills only what it
/// started).
/// <list type="number">
/// <item>Room at rest: C clients connected and idle; the tree's Pss, processes and threads; then G greetings timed,
/// one after another (<see cref="RoomAtRestScenario"/>).</item>
/// <item>Fan-out: C fresh clients; one sends a line, R times; time until the last of the others has it
/// (<see cref="FanoutScenario"/>).</item>
/// <item>Chat burst: C fresh clients each send M lines at once; deliveries per second
/// (<see cref="ChatBurstScenario"/>).</item>
/// </list>
/// The tree's CPU time is read after the server has settled and again after the last phase. A failed phase is noted
/// and the next one still runs, unless the server itself has died.
/// </summary>
internal static class LabPointRunner
{
    // How ChatRoom.ReadinessNote begins.
    private const string ReadinessNotePrefix = "The readiness barrier took ";

    // Waiting for an idle server after a room has connected: the process model may still be refilling its pool.
    private static readonly TimeSpan s_idleLimit = TimeSpan.FromSeconds(15);

    public static async Task<LabPoint> RunAsync(
        LabPlan plan, string model, int clients, string chatForkPath, CancellationToken cancellationToken)
    {
        var point = new LabPoint(model, clients);
        var oneProcess = model != "process";
        var maxClients = plan.MaxClientsFor(clients);
        int? prespawn = oneProcess ? null : plan.Prespawn;
        var spec = new ServerSpec(
            ServerKind.ChatFork, ServerMode.Chat, maxClients, prespawn, chatForkPath, ["--model", model, "--log-file", "none"]);
        var limit = maxClients.ToString(CultureInfo.InvariantCulture);
        point.Server = $"chatfork --model {model} --mode chat --log-file none --log-level warn --max-clients {limit} "
            + $"--max-clients-per-ip {limit}"
            + (prespawn is { } k ? " --prespawn " + k.ToString(CultureInfo.InvariantCulture) : "");
        var started = Clock.Now;
        ServerUnderTest? server = null;
        try
        {
            server = await ServerUnderTest.StartAsync(spec, cancellationToken);
            var pid = server.Pid ?? throw new BenchException("The server's process id is unknown.");
            var idle = TreeUsage.Read(pid) ?? throw new BenchException($"The server (pid {pid}) exited right after it started.");
            point.PssIdleMiB = idle.Memory.PssMiB;
            point.IdleProcesses = idle.Processes;
            point.IdleThreads = idle.Threads;

            var rest = new RoomAtRestScenario(clients, plan.Greetings, plan.Prespawn, oneProcess);
            if (await PhaseAsync(rest, server, plan, point, cancellationToken) is { } restResult)
            {
                if (rest.Loaded is { } loaded)
                {
                    point.PssTotalMiB = loaded.Memory.PssMiB;
                    point.Processes = loaded.Processes;
                    point.Threads = loaded.Threads;
                }

                point.GreetingP50Ms = restResult.Find("greeting_p50_ms")?.Value;
                point.GreetingP99Ms = restResult.Find("greeting_p99_ms")?.Value;
                point.GreetingsTimed = (int?)restResult.Find("greetings")?.Value;
            }

            var expected = rest.ExpectedProcesses;
            var fanout = new FanoutScenario(clients, plan.FanoutRounds)
            {
                AfterBarrierAsync = new IdleWait(pid, expected, s_idleLimit).WaitAsync,
            };
            if (!server.HasExited && await PhaseAsync(fanout, server, plan, point, cancellationToken) is { } fanoutResult)
            {
                point.FanoutP50Ms = fanoutResult.Find("last_p50_ms")?.Value;
                point.FanoutRounds = (int?)fanoutResult.Find("rounds_complete")?.Value;
            }

            var burst = new ChatBurstScenario(clients, plan.BurstLines)
            {
                AfterBarrierAsync = new IdleWait(pid, expected, s_idleLimit).WaitAsync,
            };
            if (!server.HasExited && await PhaseAsync(burst, server, plan, point, cancellationToken) is { } burstResult)
            {
                point.DeliveriesPerSecond = burstResult.Find("deliveries_per_s")?.Value;
                point.Deliveries = (long?)burstResult.Find("delivered")?.Value;
                point.Lost = (long?)burstResult.Find("lost")?.Value;
            }

            if (!server.HasExited && TreeUsage.Read(pid) is { } end)
            {
                point.CpuSeconds = TreeUsage.CpuSecondsBetween(idle, end);
            }
        }
        catch (BenchException ex)
        {
            point.Error ??= ex.Message;
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
                foreach (var problem in server.Problems)
                {
                    point.Notes.Add(problem);
                }
            }

            point.DurationSeconds = Clock.MillisecondsSince(started) / 1000.0;
        }

        return point;
    }

    /// <summary>Runs one phase under the plan's bounds; its notes and error go to the point. Null if it failed.</summary>
    private static async Task<ScenarioResult?> PhaseAsync(
        IScenario scenario, ServerUnderTest server, LabPlan plan, LabPoint point, CancellationToken cancellationToken)
    {
        var result = new ScenarioResult(scenario.Name, server.Label);
        await ScenarioRunner.RunOnAsync(scenario, server, plan.PhaseTimeout, plan.Budget, result, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var note in result.Notes)
        {
            var notes = note.StartsWith(ReadinessNotePrefix, StringComparison.Ordinal) ? point.Readiness : point.Notes;
            notes.Add($"{scenario.Name}: {note}");
        }

        if (server.ExitedEarly() is { } exited)
        {
            point.Error ??= exited;
            return null;
        }

        if (result.Error is not null)
        {
            point.Error ??= $"{scenario.Name}: {result.Error}";
            return null;
        }

        return result;
    }
}

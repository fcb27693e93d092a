using ChatFork.Bench.Measure;
using ChatFork.Bench.Net;
using ChatFork.Bench.Platform;
using ChatFork.Bench.Results;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Scenarios;

/// <summary>
/// Many chat clients (1000 by default; issue 13 asks for 10,000) connected with 64 in flight at a time, each served
/// once it has read its greeting; after the readiness barrier, one line from one client must reach every other one.
/// Measures the time until all are greeted, the broadcast's time to the last receipt (and its p50), Pss per client,
/// the root process's CPU over the run, threads and descriptors, and says in one sentence which limit was hit when
/// the server stops short (<see cref="ScaleOutcome"/>). The clients the server did serve are still measured.
/// </summary>
internal sealed class ScaleScenario : IScenario
{
    private const int ConnectConcurrency = 64;

    private static readonly TimeSpan s_broadcastLimit = TimeSpan.FromSeconds(15);

    // Readiness is not timed, and a server that accepts slowly (ncat, with many clients) may need a while.
    private static readonly TimeSpan s_barrierBudget = TimeSpan.FromSeconds(60);

    // What the connect phase leaves of --timeout for the barrier, the broadcast and the measurements.
    private static readonly TimeSpan s_reserve = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan s_shortestPhase = TimeSpan.FromSeconds(20);

    private readonly int _clients;

    public ScaleScenario(int clients)
    {
        _clients = clients;
    }

    public string Name => "scale";

    public ServerMode? Needs => ServerMode.Chat;

    public int MaxClients => _clients;

    public async Task RunAsync(ScenarioContext context, ScenarioResult result, CancellationToken cancellationToken)
    {
        if (FileLimit.Current() is { } limit && limit < (ulong)(_clients + 64))
        {
            result.Notes.Add($"The open-file limit is {limit}, too low for {_clients} clients; connects may fail.");
        }

        var phaseLimit = context.HardLimit - s_reserve > s_shortestPhase ? context.HardLimit - s_reserve : s_shortestPhase;
        var pid = context.ServerPid;
        var cpuBefore = pid is { } p0 ? ProcessTree.ReadStat(p0)?.CpuTicks : null;
        var greets = context.Kind != ServerKind.Ncat;
        var crowd = await ScaleCrowd.ConnectAsync(
            context.Endpoint, _clients, ConnectConcurrency, greets, phaseLimit, cancellationToken);
        var served = crowd.Served;
        result.Add("served", greets ? "clients greeted" : "clients connected", served.Length, "", Better.Higher);
        result.Add("greet_all_ms", greets ? "time until all greeted" : "time until all connected",
            served.Length == _clients ? crowd.LastServedAfter.TotalMilliseconds : null, "ms", Better.Lower);
        result.Add("greet_last_ms", "time until the last served client", crowd.LastServedAfter.TotalMilliseconds, "ms",
            Better.Lower);
        result.Add("greeting_p50_ms", "connect to greeting p50", new Percentiles(crowd.GreetingMilliseconds).At(50), "ms",
            Better.Lower);
        if (!greets)
        {
            result.Notes.Add("ncat sends no greeting: a client counts as served once its connect completed.");
        }

        var token = BenchToken.ForNewRun();
        var tally = new FanoutTally(served.Length);
        var expected = served.Length - 1;
        int? reached = null;
        double? broadcastMs = null;
        double? broadcastP50 = null;
        ServerFootprint? footprint = null;
        int disconnected;
        await using (var room = ChatRoom.Over(served, token, crowd.LastServedAfter))
        {
            if (served.Length >= 2)
            {
                try
                {
                    var attempts = await room.BarrierAsync(s_barrierBudget, cancellationToken);
                    result.Add("barrier_attempts", "barrier lines", attempts, "", Better.Lower);
                    if (room.ReadinessNote(attempts) is { } readiness)
                    {
                        result.Notes.Add(readiness);
                    }
                }
                catch (BenchException ex)
                {
                    // Not every client is served; the broadcast below still shows how many are.
                    result.Notes.Add(ex.Message);
                }

                room.Listener = tally;
                var complete = tally.BeginRound(0, expected);
                var sent = Clock.Now;
                await room.SendAsync(0, token.Line(0, BenchToken.DataKind, 0, "scale"), cancellationToken);
                try
                {
                    await complete.WaitAsync(s_broadcastLimit, cancellationToken);
                }
                catch (TimeoutException)
                {
                    result.Notes.Add(
                        $"The broadcast had not reached every client after {s_broadcastLimit.TotalSeconds:0} s.");
                }

                var (count, _, lastAt) = tally.Summary();
                reached = count;
                if (count == expected)
                {
                    broadcastMs = Clock.Milliseconds(sent, lastAt);
                    broadcastP50 = new Percentiles(tally.ReceiptTimes().Select(t => Clock.Milliseconds(sent, t)).ToList()).At(50);
                }
            }

            if (pid is { } p1)
            {
                footprint = ServerFootprint.Read(p1);
            }

            disconnected = room.Disconnected;
        }

        var cpuAfter = pid is { } p2 ? ProcessTree.ReadStat(p2)?.CpuTicks : null;
        var outcome = new ScaleOutcome
        {
            Requested = _clients,
            Served = served.Length,
            ConnectErrors = crowd.ConnectErrors,
            Refusals = crowd.Refusals,
            ClosedWithoutALine = crowd.ClosedWithoutALine,
            NoLineInTime = crowd.NoLineInTime,
            NotTried = crowd.NotTried,
            PhaseLimit = phaseLimit,
            MissingReceipts = reached is { } r ? expected - r : null,
            DisconnectedLater = disconnected,
            TreeThreads = footprint?.TreeThreads,
            PidMax = ReadPidMax(),
            OpenFileLimit = FileLimit.Current(),
        };
        result.Notes.Add("Limit: " + outcome.LimitSentence());

        result.Add("clients", "clients asked for", _clients, "");
        result.Add("reached", "broadcast receivers", reached, "", Better.Higher);
        result.Add("missing", "clients not served or missed", _clients - 1 - (reached ?? 0), "", Better.Lower);
        result.Add("broadcast_last_ms", "broadcast to last receipt", broadcastMs, "ms", Better.Lower);
        result.Add("broadcast_p50_ms", "broadcast receipt p50", broadcastP50, "ms", Better.Lower);
        result.Add("pss_per_client_mib", footprint is { Children: > 0 } ? "Pss per client (workers' Pss / clients)"
            : "Pss per client (server's Pss / clients)", footprint?.PerClientMiB(served.Length), "MiB", Better.Lower);
        result.Add("root_pss_mib", "Pss of the root process (supervisor)", footprint?.RootPssMiB, "MiB", Better.Lower);
        result.Add("total_mib", "Pss total", footprint is { } f ? f.RootPssMiB + f.ChildrenPssMiB : null, "MiB",
            Better.Lower);
        result.Add("processes", "processes in tree", footprint is { } g ? g.Children + 1 : null, "");
        result.Add("root_threads", "threads of the root process", footprint?.RootThreads, "", Better.Lower);
        result.Add("root_fds", "open descriptors of the root process", footprint?.RootDescriptors, "", Better.Lower);
        result.Add("tree_threads", "threads in the tree", footprint?.TreeThreads, "", Better.Lower);
        result.Add("root_cpu_ms", "CPU of the root process over the run (utime+stime)",
            cpuBefore is { } before && cpuAfter is { } after ? (after - before) * 1000.0 / ClockTicks.PerSecond : null,
            "ms", Better.Lower);
    }

    private static int? ReadPidMax()
    {
        try
        {
            return int.TryParse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), out var value) ? value : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}

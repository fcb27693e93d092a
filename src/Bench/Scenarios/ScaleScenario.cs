using ChatFork.Bench.Measure;
using ChatFork.Bench.Net;
using ChatFork.Bench.Platform;
using ChatFork.Bench.Results;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Scenarios;

/// <summary>
/// C chat clients (1000 by default) connected at once, 64 connects in flight at a time; after the readiness barrier,
/// one line from one client must reach all the others. Measures whether the server holds that many, how long the
/// connects take, and what the tree costs in memory and processes.
/// </summary>
internal sealed class ScaleScenario : IScenario
{
    private const int ConnectConcurrency = 64;

    private static readonly TimeSpan s_broadcastLimit = TimeSpan.FromSeconds(15);

    // Readiness is not timed, and a server that accepts slowly (ncat, with many clients) may need a while.
    private static readonly TimeSpan s_barrierBudget = TimeSpan.FromSeconds(60);

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

        var token = BenchToken.ForNewRun();
        var tally = new FanoutTally(_clients);
        var expected = _clients - 1;
        int reached;
        double? broadcastMs = null;
        TreeMemory? memory = null;
        await using (var room = await ChatRoom.ConnectAsync(
            context.Endpoint, _clients, token, ConnectConcurrency, cancellationToken))
        {
            result.Add("connect_all_ms", "connect all", room.ConnectElapsed.TotalMilliseconds, "ms", Better.Lower);
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
                result.Notes.Add($"The broadcast had not reached every client after {s_broadcastLimit.TotalSeconds:0} s.");
            }

            var (count, _, lastAt) = tally.Summary();
            reached = count;
            if (count == expected)
            {
                broadcastMs = Clock.Milliseconds(sent, lastAt);
            }

            if (context.ServerPid is { } pid)
            {
                memory = ProcessTree.MeasurePss(pid);
            }

            if (room.Disconnected > 0)
            {
                result.Notes.Add($"The server closed {room.Disconnected} of the {_clients} connections.");
            }
        }

        result.Add("clients", "clients", _clients, "");
        result.Add("reached", "broadcast receivers", reached, "", Better.Higher);
        result.Add("missing", "receivers missed", expected - reached, "", Better.Lower);
        result.Add("broadcast_last_ms", "broadcast to last receipt", broadcastMs, "ms", Better.Lower);
        result.Add("total_mib", "Pss total", memory?.PssMiB, "MiB", Better.Lower);
        result.Add("pss_per_client_mib", "Pss per client", memory?.PssMiB / _clients, "MiB", Better.Lower);
        result.Add("processes", "processes in tree", memory?.Processes, "");
    }
}

using ChatFork.Bench.Measure;
using ChatFork.Bench.Net;
using ChatFork.Bench.Results;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Scenarios;

/// <summary>
/// The memory the server's whole process tree costs with no clients and with C clients, as Pss summed over the
/// tree. Clients are first proved to be served (a chat barrier, or an echo per client), so that a fork-per-connection
/// server has really started a process for each before the tree is measured.
/// </summary>
internal sealed class MemoryScenario : IScenario
{
    // Lets a freshly started server finish starting (a warm pool of workers, say) before the baseline is taken.
    private static readonly TimeSpan s_settle = TimeSpan.FromMilliseconds(500);

    // Readiness is not timed, and a server that accepts slowly (ncat, with many clients) may need a while.
    private static readonly TimeSpan s_barrierBudget = TimeSpan.FromSeconds(60);

    private readonly int _clients;

    public MemoryScenario(int clients)
    {
        _clients = clients;
    }

    public string Name => "memory";

    public ServerMode? Needs => null;

    public int MaxClients => _clients;

    public async Task RunAsync(ScenarioContext context, ScenarioResult result, CancellationToken cancellationToken)
    {
        if (context.ServerPid is not { } pid)
        {
            result.Error = "The memory scenario needs the server's process id; pass --server-pid PID with --target.";
            return;
        }

        var token = BenchToken.ForNewRun();
        await Task.Delay(s_settle, cancellationToken);
        var baseline = ProcessTree.MeasurePss(pid);
        if (baseline.Processes == 0)
        {
            result.Error = $"No process with id {pid} is running, so there is no tree to measure.";
            return;
        }

        TreeMemory loaded;
        if (context.Mode == ServerMode.Chat)
        {
            await using var room = await ChatRoom.ConnectAsync(context.Endpoint, _clients, token, 64, cancellationToken);
            var attempts = await room.BarrierAsync(s_barrierBudget, cancellationToken);
            if (room.ReadinessNote(attempts) is { } readiness)
            {
                result.Notes.Add(readiness);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            loaded = ProcessTree.MeasurePss(pid);
        }
        else
        {
            using var crowd = await EchoCrowd.ConnectAsync(context.Endpoint, _clients, token, 64, cancellationToken);
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            loaded = ProcessTree.MeasurePss(pid);
        }

        if (loaded.Unreadable > 0)
        {
            result.Notes.Add($"{loaded.Unreadable} processes of the tree could not be read and count as 0.");
        }

        result.Add("clients", "clients", _clients, "");
        result.Add("total_mib", "Pss total", loaded.PssMiB, "MiB", Better.Lower);
        result.Add("pss_per_client_mib", "Pss per client", loaded.PssMiB / _clients, "MiB", Better.Lower);
        result.Add(
            "marginal_per_client_mib", "marginal Pss per client", (loaded.PssMiB - baseline.PssMiB) / _clients, "MiB",
            Better.Lower);
        result.Add("baseline_mib", "Pss with 0 clients", baseline.PssMiB, "MiB", Better.Lower);
        result.Add("processes", "processes in tree", loaded.Processes, "");
        result.Add("baseline_processes", "processes with 0 clients", baseline.Processes, "");
    }
}

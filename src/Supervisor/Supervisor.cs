using System.Diagnostics;
using System.Runtime.InteropServices;
using ChatFork.Platform;
using ChatFork.Supervisor.Room;
using NLog;

namespace ChatFork.Supervisor;

// ChatFork's process model
// ========================
//
//   client ──TCP──▶ supervisor (chatfork) ──accept()──▶ connection
//                     │  starts one worker process per connection ("fork"), from the launcher thread
//                     │  hands the connection's socket to it: SCM_RIGHTS (Unix) / WSADuplicateSocket (Windows)
//                     │  then closes its own copy
//                     ▼
//                  worker (chatfork-worker) ◀──TCP──▶ client        (the worker owns the socket alone)
//                     ▲
//                     └── named pipe, our frames: chat lines up, room lines down
//
// Who owns which handle when:
//   * the listening socket: the supervisor, always (close-on-exec: no worker inherits it);
//   * an accepted socket: the supervisor from accept() until the hand-off, the worker after it. The supervisor never
//     reads it, never writes it (except "* server full" to a connection it refuses), never starts async I/O on it;
//   * a worker's pipe: made by the supervisor before the worker starts; one end each.
//
// What the supervisor must never do: block on one client or one worker (every queue toward a worker is bounded and a
// worker that lets it fill is dropped), parse the bytes clients send (workers do that and send typed frames), or
// call waitpid itself (.NET's Process reaps the children it started; the Reaper learns of each exit from it).
//
// Threads: the accept loop and the launcher each have a dedicated thread (see their comments for why); the room,
// the reaper and the per-worker pipe loops are tasks on the thread pool. Dying: PR_SET_PDEATHSIG plus pipe EOF on
// Linux, a kill-on-close Job object on Windows, take every worker down with the supervisor, however it dies.

/// <summary>The <c>chatfork</c> server: wires the parts together, runs until a signal, shuts down in order.</summary>
internal sealed class Supervisor : IDisposable
{
    private static readonly Logger s_log = LogManager.GetLogger("supervisor");

    private readonly ServerSettings _settings;
    private readonly IProcessPlatform _platform = ProcessPlatform.Current;
    private readonly TaskCompletionSource<string> _shutdownRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _forced = new();
    private int _signals;

    public Supervisor(ServerSettings settings)
    {
        _settings = settings;
    }

    /// <summary>Serves until SIGINT or SIGTERM; returns the process exit code.</summary>
    public async Task<int> RunAsync()
    {
        var protectedHandles = _platform.ProtectInheritedHandles();
        if (protectedHandles > 0)
        {
            s_log.Debug($"marked {protectedHandles} inherited descriptors close-on-exec, so no worker inherits them");
        }

        var listener = AcceptLoop.Bind(_settings.Host, _settings.Port);
        var endpoint = (System.Net.IPEndPoint)listener.LocalEndPoint!;

        var registry = new WorkerRegistry(_settings);
        var reaper = new Reaper(registry, _platform);
        using var launcher = new WorkerLauncher(_settings, registry, _platform, reaper);
        reaper.Launcher = launcher;

        ChatRoom? room = null;
        if (_settings.Mode == ServerMode.Chat)
        {
            room = new ChatRoom(new ProcessTable(registry, _platform, endpoint.ToString()), Environment.ProcessId);
            reaper.Room = room;
        }

        var dispatcher = new ConnectionDispatcher(_settings, registry, launcher, _platform, room);
        launcher.Started = slot => _ = dispatcher.AttachAsync(slot);
        launcher.Failed = _ => dispatcher.RefuseAllPending("* server busy, try again");
        var accept = new AcceptLoop(listener, dispatcher);

        if (!File.Exists(_settings.WorkerPath))
        {
            s_log.Error($"the worker executable {_settings.WorkerPath} does not exist; connections will be refused until it does");
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        var roomLoop = room?.RunAsync() ?? Task.CompletedTask;
        var reapLoop = reaper.RunAsync();
        launcher.Start();
        accept.Start();

        s_log.Info($"listening on {endpoint}: mode {_settings.Mode.ToString().ToLowerInvariant()}, up to {_settings.MaxClients} workers, " +
                   $"{_settings.Prespawn} pooled, hand-off by {_platform.Name}, worker {_settings.WorkerPath}");
        // The one line on standard output, for people and for scripts that wait for the server to be ready.
        Console.Out.WriteLine($"chatfork {ThisVersion()} (pid {Environment.ProcessId}) listening on {endpoint}");
        Console.Out.Flush();

        using (var expiry = new PeriodicTimer(TimeSpan.FromSeconds(1)))
        {
            var tick = expiry.WaitForNextTickAsync().AsTask();
            while (true)
            {
                var done = await Task.WhenAny(_shutdownRequested.Task, tick);
                if (done == _shutdownRequested.Task)
                {
                    break;
                }

                dispatcher.RefuseExpired();
                tick = expiry.WaitForNextTickAsync().AsTask();
            }
        }

        var reason = await _shutdownRequested.Task;
        var exitCode = await ShutdownAsync(reason, accept, launcher, registry, dispatcher);
        room?.Complete();
        reaper.Complete();
        await Task.WhenAll(roomLoop, reapLoop).WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(_ => { }, TaskScheduler.Default);
        return exitCode;
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // we exit in our own time, in order
        if (Interlocked.Increment(ref _signals) == 1)
        {
            _shutdownRequested.TrySetResult(context.Signal.ToString());
        }
        else
        {
            s_log.Warn($"{context.Signal} again: killing the workers that are left now");
            _forced.Cancel();
        }
    }

    private async Task<int> ShutdownAsync(string reason, AcceptLoop accept, WorkerLauncher launcher, WorkerRegistry registry, ConnectionDispatcher dispatcher)
    {
        var stopwatch = Stopwatch.StartNew();
        accept.Stop();
        launcher.Stop();
        var (workers, pending) = registry.BeginShutdown();
        s_log.Info($"shutting down ({reason}): no new connections; telling {workers.Count} workers to finish");
        foreach (var connection in pending)
        {
            connection.Socket.Dispose();
        }

        foreach (var slot in workers)
        {
            if (slot.Channel is { } channel)
            {
                channel.SendShutdown("* server shutting down");
            }
            else
            {
                slot.Kill("the server is shutting down before it attached");
            }
        }

        var clean = await WaitForWorkersAsync(registry, _settings.ShutdownTimeout, _forced.Token);
        var killed = 0;
        if (!clean)
        {
            foreach (var slot in registry.Snapshot())
            {
                slot.Kill("it did not exit in time during shutdown");
                killed++;
            }

            await WaitForWorkersAsync(registry, TimeSpan.FromSeconds(2), CancellationToken.None);
        }

        dispatcher.FlushWarnings();
        var left = registry.ProcessCount;
        if (clean)
        {
            s_log.Info($"shut down cleanly in {stopwatch.Elapsed.TotalSeconds:0.00} s: all {workers.Count} workers exited and were reaped");
            return 0;
        }

        s_log.Warn($"shut down in {stopwatch.Elapsed.TotalSeconds:0.00} s after killing {killed} workers that did not finish" +
                   (left > 0 ? $"; {left} could not be reaped" : ""));
        return 1;
    }

    private static async Task<bool> WaitForWorkersAsync(WorkerRegistry registry, TimeSpan timeout, CancellationToken forced)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (registry.ProcessCount > 0)
        {
            if (forced.IsCancellationRequested || Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            await Task.Delay(10, CancellationToken.None);
        }

        return true;
    }

    public void Dispose() => _forced.Dispose();

    private static string ThisVersion() =>
        typeof(Supervisor).Assembly.GetName().Version?.ToString(3) ?? "?";
}

using ChatFork.Platform;
using ChatFork.Supervisor.Logging;
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
//     reads it and never starts async I/O on it; it writes only one synchronous line: the welcome just before the
//     hand-off, or the refusal ("* server full") to a connection it turns away;
//   * a worker's pipe: made by the supervisor before the worker starts; one end each.
//
// What the supervisor must never do: block on one client or one worker (every queue toward a worker is bounded; when
// receivers fall behind the room slows the senders responsible, and a worker that takes nothing for
// --slow-consumer-timeout is dropped), parse the bytes clients send (workers do that and send typed frames), or
// call waitpid itself (.NET's Process reaps the children it started; the Reaper learns of each exit from it).
//
// Threads: the accept loop, the launcher and, on Linux, the signal reader each have a dedicated thread (see their
// comments for why); the room, the reaper and the per-worker pipe loops are tasks on the thread pool. Dying:
// PR_SET_PDEATHSIG plus pipe EOF on Linux, a kill-on-close Job object on Windows, take every worker down with the
// supervisor, however it dies.

/// <summary>The <c>chatfork</c> server: binds, picks the model, runs until a signal, shuts down in order.</summary>
internal sealed class Supervisor : IDisposable
{
    private static readonly Logger s_log = LogManager.GetLogger("supervisor");

    private readonly ServerSettings _settings;
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
        var protectedHandles = InheritedHandles.Protect();
        if (protectedHandles > 0)
        {
            s_log.Debug($"marked {protectedHandles} inherited descriptors close-on-exec, so no worker inherits them");
        }

        using var model = CreateModel(out var endpoint);

        // Before the model starts: the signal reader is one of the threads made at start (Platform/ShutdownSignals.cs).
        using var signals = Platform.ShutdownSignals.Listen(OnSignal, s_log);
        await model.StartAsync();

        var udp = _settings.Transport == Transport.Udp ? " (udp)" : "";
        s_log.Event(LogLevel.Info, LogEvents.Listening, $"listening on {endpoint}{udp}: mode {Lower(_settings.Mode)}, model {Lower(_settings.Model)}, {model.Description}");
        // The one line on standard output, for people and for scripts that wait for the server to be ready.
        Console.Out.WriteLine($"chatfork {ThisVersion()} (pid {Environment.ProcessId}) listening on {endpoint}{udp}");
        Console.Out.Flush();

        var reason = await _shutdownRequested.Task;
        return await model.ShutdownAsync(reason, _forced.Token);
    }

    public void Dispose() => _forced.Dispose();

    private IServerModel CreateModel(out string endpoint)
    {
        if (_settings.Transport == Transport.Udp)
        {
            var udp = new Lab.UdpEchoServer(_settings);
            endpoint = udp.LocalEndPoint;
            return udp;
        }

        var listener = ProcessModel.AcceptLoop.Bind(_settings.Host, _settings.Port, _settings.ListenBacklog);
        endpoint = ((System.Net.IPEndPoint)listener.LocalEndPoint!).ToString();
        return _settings.Model switch
        {
            ServerModel.Thread or ServerModel.Async => Lab.LabModels.Create(_settings, listener, endpoint),
            _ => new ProcessModel.ProcessModelServer(_settings, listener, endpoint),
        };
    }

    private void OnSignal(string signal)
    {
        if (Interlocked.Increment(ref _signals) == 1)
        {
            _shutdownRequested.TrySetResult(signal);
        }
        else
        {
            s_log.Warn($"{signal} again: ending what is left now");
            _forced.Cancel();
        }
    }

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static string ThisVersion() =>
        typeof(Supervisor).Assembly.GetName().Version?.ToString(3) ?? "?";
}

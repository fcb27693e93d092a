using System.Net.Sockets;
using ChatFork.Platform;
using ChatFork.Supervisor.Room;
using NLog;

namespace ChatFork.Supervisor;

/// <summary>
/// The process model: accept loop, registry, launcher, dispatcher, reaper and (in chat mode) the room, wired
/// together. See the overview at the top of Supervisor.cs.
/// </summary>
internal sealed class ProcessModelServer : IServerModel
{
    private static readonly Logger s_log = LogManager.GetLogger("supervisor");

    private readonly ServerSettings _settings;
    private readonly IProcessPlatform _platform;
    private readonly WorkerRegistry _registry;
    private readonly Reaper _reaper;
    private readonly WorkerLauncher _launcher;
    private readonly ChatRoom? _room;
    private readonly ConnectionDispatcher _dispatcher;
    private readonly AcceptLoop _accept;
    private readonly CancellationTokenSource _stopping = new();
    private Task _roomLoop = Task.CompletedTask;
    private Task _reapLoop = Task.CompletedTask;
    private Task _housekeeping = Task.CompletedTask;

    public ProcessModelServer(ServerSettings settings, IProcessPlatform platform, Socket listener, string endpoint)
    {
        _settings = settings;
        _platform = platform;
        _registry = new WorkerRegistry(settings);
        _reaper = new Reaper(_registry, platform);
        _launcher = new WorkerLauncher(settings, _registry, platform, _reaper);
        _reaper.Launcher = _launcher;
        if (settings.Mode == ServerMode.Chat)
        {
            _room = new ChatRoom(new ProcessTable(_registry, platform, endpoint));
            _reaper.Room = _room;
        }

        _dispatcher = new ConnectionDispatcher(settings, _registry, _launcher, platform, _room);
        _launcher.Started = slot => _ = _dispatcher.AttachAsync(slot);
        _launcher.Failed = _ => _dispatcher.RefuseAllPending(Refusal.Busy);
        _accept = new AcceptLoop(listener, _dispatcher);
    }

    public string Description =>
        $"up to {_settings.MaxClients} workers, {_settings.Prespawn} pooled, hand-off by {_platform.Name}, worker {_settings.WorkerPath}";

    public async Task StartAsync()
    {
        RemoveStalePipes();
        if (!File.Exists(_settings.WorkerPath))
        {
            s_log.Error($"the worker executable {_settings.WorkerPath} does not exist; connections will be refused until it does");
        }

        _roomLoop = _room?.RunAsync() ?? Task.CompletedTask;
        _reapLoop = _reaper.RunAsync();
        _launcher.Start();
        _accept.Start();
        _housekeeping = HousekeepAsync(_stopping.Token);

        // Ready means warm: say "listening" once the pool's workers are attached, so the first clients (and the
        // benchmark) meet the server as it will be. Bounded: a broken worker executable must not keep it silent.
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (_registry.IdleCount < _settings.Prespawn && started.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(5);
        }

        if (_settings.Prespawn > 0)
        {
            s_log.Info($"worker pool ready: {_registry.IdleCount} of {_settings.Prespawn} idle workers attached after {started.Elapsed.TotalMilliseconds:0} ms");
        }
    }

    public async Task<int> ShutdownAsync(string reason, CancellationToken forced)
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await _stopping.CancelAsync();
        _accept.Stop();
        _launcher.Stop();
        var (workers, pending) = _registry.BeginShutdown();
        s_log.Info($"shutting down ({reason}): no new connections; telling {workers.Count} workers to finish");
        foreach (var connection in pending)
        {
            Refusal.Send(connection.Socket, Refusal.ShuttingDown);
        }

        foreach (var slot in workers)
        {
            if (slot.Channel is { } channel)
            {
                channel.SendShutdown(Refusal.ShuttingDown);
            }
            else
            {
                slot.Kill("the server is shutting down before it attached");
            }
        }

        var clean = await WaitForWorkersAsync(_settings.ShutdownTimeout, forced);
        var killed = 0;
        if (!clean)
        {
            foreach (var slot in _registry.Snapshot())
            {
                slot.Kill("it did not exit in time during shutdown");
                killed++;
            }

            await WaitForWorkersAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
        }

        _dispatcher.FlushWarnings();
        _room?.Complete();
        _reaper.Complete();
        await Task.WhenAll(_roomLoop, _reapLoop, _housekeeping).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);

        var left = _registry.ProcessCount;
        if (clean)
        {
            s_log.Info($"shut down cleanly in {stopwatch.Elapsed.TotalSeconds:0.00} s: all {workers.Count} workers exited and were reaped");
            return 0;
        }

        s_log.Warn($"shut down in {stopwatch.Elapsed.TotalSeconds:0.00} s after killing {killed} workers that did not finish" +
                   (left > 0 ? $"; {left} could not be reaped" : ""));
        return 1;
    }

    public void Dispose()
    {
        _launcher.Dispose();
        _stopping.Dispose();
    }

    // A supervisor killed with SIGKILL leaves the socket files of pipes whose workers had not attached yet (attached
    // ones are unlinked at once). Remove those of supervisors that no longer exist; never another live one's.
    private static void RemoveStalePipes()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var path in Directory.EnumerateFiles(Path.GetTempPath(), $"{Protocol.PipeNames.Prefix}*.pipe"))
        {
            var name = Path.GetFileNameWithoutExtension(path)[Protocol.PipeNames.Prefix.Length..];
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(name.AsSpan(0, dash), out var pid) && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
            {
                try
                {
                    File.Delete(path);
                    s_log.Debug($"removed {path}, left by supervisor {pid}, which is gone");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Another user's, or in use: not ours to touch.
                }
            }
        }
    }

    // Once a second: refuse connections that waited too long for a worker.
    private async Task HousekeepAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                _dispatcher.RefuseExpired();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<bool> WaitForWorkersAsync(TimeSpan timeout, CancellationToken forced)
    {
        var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        while (_registry.ProcessCount > 0)
        {
            if (forced.IsCancellationRequested || System.Diagnostics.Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            await Task.Delay(10, CancellationToken.None);
        }

        return true;
    }
}

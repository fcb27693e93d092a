using System.Net.Sockets;
using ChatFork.Platform;
using ChatFork.Supervisor.Irc;
using ChatFork.Supervisor.Logging;
using ChatFork.Supervisor.Room;
using NLog;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// The process model, wired: each step of a connection's life has one owner, and this class connects them and
/// reacts to what they report. See the overview at the top of Supervisor.cs and the "where is it" table in
/// docs/architecture.md.
/// <code>
///   AcceptLoop ─▶ Admission ─▶ WorkerRegistry ◀─ WorkerLauncher (spawn, SpawnBackoff)
///                     │              │                 │ started
///                     ▼              ▼                 ▼
///                  HandOff ◀──── (matched) ◀──── WorkerAttach ─▶ WorkerPipeReader ─▶ ChatRoom ─▶ WorkerOutbox
///                                                                                    Reaper ─▶ Reaped (here)
/// </code>
/// </summary>
internal sealed class ProcessModelServer : IServerModel
{
    private static readonly Logger s_log = LogManager.GetLogger("supervisor");

    private readonly ServerSettings _settings;
    private readonly SpawnBackoff _backoff;
    private readonly RoomFlow _flow = new();
    private readonly WorkerRegistry _registry;
    private readonly Reaper _reaper;
    private readonly ExitWatcher _exits = new();
    private readonly WorkerLauncher _launcher;
    private readonly ChatRoom? _room;
    private readonly IrcServer? _irc;
    private readonly Cluster.RedisCluster? _cluster;
    private readonly Fanout.RoomRing? _ring;
    private readonly WorkerAttach _attach;
    private readonly HandOff _handOff;
    private readonly Admission _admission;
    private readonly AcceptLoop _accept;
    private readonly CancellationTokenSource _stopping = new();
    private Task _roomLoop = Task.CompletedTask;
    private Task _reapLoop = Task.CompletedTask;
    private Task _housekeeping = Task.CompletedTask;

    public ProcessModelServer(ServerSettings settings, Socket listener, string endpoint)
    {
        _settings = settings;
        _backoff = new SpawnBackoff(TimeProvider.System)
        {
            Recovered = (failures, over) => s_log.Event(LogLevel.Info, LogEvents.SpawnRecovered,
                $"starting workers works again: a new worker serves its client after {failures} failed starts in {over.TotalSeconds:0.0} s"),
        };
        _registry = new WorkerRegistry(settings, _backoff, TimeProvider.System);
        // One protocol per server process: in IRC mode the IRC server's channels replace the room (docs/irc.md says why).
        _irc = settings.Irc is { } irc
            ? new IrcServer(irc, Environment.ProcessId, $"chatfork-{typeof(ProcessModelServer).Assembly.GetName().Version?.ToString(3)}")
            : null;
        _room = settings.Mode == ServerMode.Chat && _irc is null ? new ChatRoom(new ProcessTable(_registry, endpoint, settings.ReusesWorkers ? settings.WorkerReuse : 0)) { AnnounceLimit = settings.AnnounceLimit } : null;
        if (_room is not null && settings.Cluster is { } cluster)
        {
            _cluster = new Cluster.RedisCluster(cluster, _room);
            _room.Cluster = _cluster;
        }

        // --fanout shm: the chat room's broadcasts go through a ring in shared memory. IRC mode's channels and the
        // cluster's room stay on the pipes (docs/architecture.md, "Fan-out through shared memory").
        if (_room is not null && _cluster is null && settings.Fanout == FanoutMode.Shm)
        {
            _ring = new Fanout.RoomRing(CurrentPlatform.RingShare.Create(Protocol.RingPart.Ring, settings.RingSize), settings.RingSize, CurrentPlatform.RingShare, _flow);
            _room.Ring = _ring;
        }
        else if (settings.Fanout == FanoutMode.Shm)
        {
            s_log.Info($"--fanout shm is for the chat room alone: {(_irc is not null ? "IRC mode's channels" : _cluster is not null ? "the cluster's room" : "echo mode")} fans out on the pipes");
        }

        _reaper = new Reaper(_registry, _exits);
        _reaper.Reaped += OnReaped;
        _launcher = new WorkerLauncher(settings, _registry, CurrentPlatform.Lifetime, _backoff, _flow,
            started: OnStarted, failed: _ => _admission!.RefuseAllPending(Refusal.Busy));
        _handOff = new HandOff(CurrentPlatform.HandOff, _room);
        var recycle = settings.ReusesWorkers ? new WorkerRecycle(settings, _registry, _room, _handOff, _launcher.Nudge) : null;
        _attach = new WorkerAttach(settings, _room, _backoff, _flow, _irc, recycle, _ring);
        _admission = new Admission(settings, _registry, _handOff, _launcher.Nudge);
        _accept = new AcceptLoop(listener, _admission);
    }

    public string Description =>
        $"up to {_settings.MaxClients} workers, {_settings.Prespawn} pooled, " +
        (_settings.ReusesWorkers ? $"each reused for up to {_settings.WorkerReuse} clients, " : "") +
        $"hand-off by {_handOff.Name}, " +
        $"fan-out {(_ring is null ? "by pipe" : $"through shared memory ({_ring.Description})")}, worker {_settings.WorkerPath}";

    public async Task StartAsync()
    {
        foreach (var path in PipePaths.RemoveStale())
        {
            s_log.Debug($"removed {path}, left by a supervisor that is gone");
        }

        if (PipePaths.CreateDirectory() is { } pipes)
        {
            s_log.Info($"worker pipes in {pipes} (mode 0700)");
        }

        if (!File.Exists(_settings.WorkerPath))
        {
            s_log.Error($"the worker executable {_settings.WorkerPath} does not exist; connections will be refused until it does");
        }

        _roomLoop = _room?.RunAsync() ?? _irc?.RunAsync() ?? Task.CompletedTask;
        if (_cluster is not null)
        {
            await _cluster.StartAsync();
        }

        RaiseDescriptorLimit();

        // Every thread of the supervisor's own is made here, before the first client (docs/resilience.md says which
        // threads .NET makes on demand, and what happens when it cannot).
        ThreadReserve.PrepareThreadPool(s_log);
        _exits.Start();
        _reapLoop = _reaper.RunAsync();
        _launcher.Start();
        _accept.Start();
        _housekeeping = HousekeepAsync(_stopping.Token);

        // Ready means warm: say "listening" once the pool's workers are attached, so the first clients (and the
        // benchmark) meet the server as it will be. Bounded (--pool-wait): a broken worker must not keep it silent.
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (_registry.IdleCount < _settings.Prespawn && started.Elapsed < _settings.PoolWait)
        {
            await Task.Delay(5);
        }

        if (_settings.Prespawn > 0)
        {
            s_log.Event(LogLevel.Info, LogEvents.PoolReady, $"worker pool ready: {_registry.IdleCount} of {_settings.Prespawn} idle workers attached after {started.Elapsed.TotalMilliseconds:0} ms");
        }
    }

    public async Task<int> ShutdownAsync(string reason, CancellationToken forced)
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await _stopping.CancelAsync();
        _accept.Stop();
        _launcher.Stop();
        var (workers, pending) = _registry.BeginShutdown();
        s_log.Event(LogLevel.Info, LogEvents.ShutdownStarted, $"shutting down ({reason}): no new connections; telling {workers.Count} workers to finish");
        foreach (var connection in pending)
        {
            Refusal.Send(connection.Socket, Refusal.ShuttingDown);
        }

        foreach (var slot in workers)
        {
            if (slot.Life.State == WorkerState.Starting)
            {
                slot.Kill("the server is shutting down before it attached");
            }
            else
            {
                slot.Outbox.SendShutdown(Refusal.ShuttingDown);
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

        _admission.FlushWarnings();
        _room?.Complete();
        _irc?.Complete();
        _reaper.Complete();
        _exits.Stop();
        await Task.WhenAll(_roomLoop, _reapLoop, _housekeeping).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        PipePaths.RemoveDirectory();
        _ring?.Dispose();
        var left = _registry.ProcessCount;
        if (clean)
        {
            s_log.Event(LogLevel.Info, LogEvents.ShutdownFinished, $"shut down cleanly in {stopwatch.Elapsed.TotalSeconds:0.00} s: all {workers.Count} workers exited and were reaped");
            return 0;
        }

        s_log.Event(LogLevel.Warn, LogEvents.ShutdownFinished, $"shut down in {stopwatch.Elapsed.TotalSeconds:0.00} s after killing {killed} workers that did not finish" +
                   (left > 0 ? $"; {left} could not be reaped" : ""));
        return 1;
    }

    public void Dispose()
    {
        _launcher.Dispose();
        _exits.Dispose();
        _stopping.Dispose();
    }

    // Each worker holds one of the supervisor's descriptors while it lives (its pipe: WorkerPipeServer closes the
    // listening socket once the worker connected), a waiting connection holds its accepted socket, and a worker
    // being attached holds a third for a moment.
    private void RaiseDescriptorLimit()
    {
        var needed = (2UL * (ulong)_settings.MaxClients) + 256;
        if (DescriptorLimit.Raise(needed) is not { } limit)
        {
            return;
        }

        var raised = limit.Soft != limit.SoftBefore
            ? $"raised from {limit.SoftBefore} (hard {limit.HardBefore}) to {limit.Soft} (hard {limit.Hard})"
            : $"{limit.Soft} (hard {limit.Hard})";
        if (limit.Problem is { } problem)
        {
            s_log.Event(LogLevel.Warn, LogEvents.Descriptors, $"open descriptors: {raised}, less than the {needed} that --max-clients {_settings.MaxClients} may need ({problem}); past it, accept and new workers fail ('Too many open files') and clients are told the server is busy");
        }
        else
        {
            s_log.Event(LogLevel.Debug, LogEvents.Descriptors, $"open descriptors: {raised}; --max-clients {_settings.MaxClients} needs at most {needed}");
        }
    }

    // On a launcher thread: watch it, then wait for it to attach (asynchronously: the launcher must not block).
    private void OnStarted(WorkerSlot slot)
    {
        _reaper.Watch(slot);
        _ = AttachAndPlaceAsync(slot);
    }

    // Attached: give it the oldest waiting connection, or pool it (or, in shutdown, tell it to go).
    private async Task AttachAndPlaceAsync(WorkerSlot slot)
    {
        if (!await _attach.RunAsync(slot))
        {
            return;
        }

        if (_registry.Attached(slot) is { } connection)
        {
            _handOff.Give(slot, connection);
        }
        else if (_registry.IsShuttingDown)
        {
            slot.Outbox.SendShutdown(Refusal.ShuttingDown);
        }
        else
        {
            _launcher.Nudge();
        }
    }

    // On the reaper's loop, once per worker, after its slot is free.
    private void OnReaped(WorkerExit exit)
    {
        var life = exit.Slot.Life;
        if (!_registry.IsShuttingDown)
        {
            // A worker that dies before it attaches, or breaks the rules, says the next one may do the same: back off
            // rather than respawn at full speed.
            if (life.Misbehaved)
            {
                _launcher.BackOff($"worker {exit.Slot.ProcessId} was killed because {life.KillReason}");
            }
            else if (exit.LastState == WorkerState.Starting && life.KillReason is null)
            {
                _launcher.BackOff($"worker {exit.Slot.ProcessId} {exit.How} before it attached");
            }
        }

        if (life.Joined)
        {
            _room?.PostReliably(new RoomEvent(RoomEventKind.Left, exit.Slot.Member, Text: exit.RoomWords()));
        }

        if (_irc is not null && life.Connection is not null)
        {
            _irc.PostReliably(new IrcEvent(IrcEventKind.Left, new IrcWorkerMember(exit.Slot), Reason: IrcQuitReason.For(exit)));
        }

        _launcher.Nudge();
    }

    // Once a second: refuse connections that waited too long for a worker; drop slow consumers.
    private async Task HousekeepAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                _admission.RefuseExpired();
                DropSlowConsumers();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // A worker whose queue is past its high-water mark and that has taken nothing from its pipe for
    // --slow-consumer-timeout holds the room back (RoomFlow): it is cut off. One that is merely behind after a burst
    // is making progress and stays.
    private void DropSlowConsumers()
    {
        foreach (var slot in _registry.Snapshot())
        {
            slot.Outbox.Reevaluate();
            if (slot.Outbox.IsStalled(_settings.SlowConsumerTimeout))
            {
                s_log.Event(LogLevel.Warn, LogEvents.SlowConsumer,
                    $"worker {slot.ProcessId} took nothing from its pipe for {_settings.SlowConsumerTimeout.TotalSeconds:0} s while its queue was past half of --worker-queue (--slow-consumer-timeout); dropping it");
                slot.Outbox.Drop($"it took nothing for {_settings.SlowConsumerTimeout.TotalSeconds:0} s with a queue backed up (--slow-consumer-timeout)");
            }
            else if (slot.Outbox.Ring is { } ring && ring.IsStalled(_settings.SlowConsumerTimeout))
            {
                s_log.Event(LogLevel.Warn, LogEvents.SlowConsumer,
                    $"worker {slot.ProcessId} read nothing from the room's ring for {_settings.SlowConsumerTimeout.TotalSeconds:0} s while it was {ring.Backlog} bytes behind, past half of --ring-size (--slow-consumer-timeout); dropping it");
                slot.Outbox.Drop($"it took nothing for {_settings.SlowConsumerTimeout.TotalSeconds:0} s with a queue backed up (--slow-consumer-timeout)");
            }
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

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// The table of worker processes and the connections waiting for them: one lock, no I/O under it. It enforces the
/// process budget (never more than <c>--max-clients</c> workers, pooled ones included: a connection flood must not
/// become a fork bomb), the per-address limit, and the warm pool's size; it matches accepted connections with
/// attached workers in the order they came.
/// </summary>
/// <remarks>
/// Counts kept: <c>starting</c> (spawned, not attached), idle (attached, in the pool), busy (serving a client),
/// <c>retiring</c> (<c>--worker-reuse</c>: recycled, told to exit). Processes = starting + idle + busy + retiring. Connections = busy + pending. The launcher asks <see cref="TryReserveSpawn"/>
/// whether to start one more; the answer covers both the pending connections that have no worker on the way and
/// the pool's shortfall.
/// </remarks>
internal sealed class WorkerRegistry
{
    private readonly Lock _lock = new();
    private readonly ServerSettings _settings;
    private readonly Dictionary<long, WorkerSlot> _slots = [];
    private readonly LinkedList<WorkerSlot> _idle = new();
    private readonly Queue<PendingConnection> _pending = new();
    private readonly AdmissionRules _admission;
    private int _starting;
    private int _busy;
    private int _retiring;
    private readonly SpawnBackoff _backoff;
    private readonly TimeProvider _time;
    private bool _shuttingDown;

    public WorkerRegistry(ServerSettings settings, SpawnBackoff backoff, TimeProvider time)
    {
        _settings = settings;
        _admission = new AdmissionRules(settings);
        _backoff = backoff;
        _time = time;
    }

    /// <summary>Worker processes alive (or not yet reaped).</summary>
    public int ProcessCount
    {
        get
        {
            lock (_lock)
            {
                return _slots.Count;
            }
        }
    }

    /// <summary>Workers attached and waiting in the pool.</summary>
    public int IdleCount
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count;
            }
        }
    }

    public bool IsShuttingDown
    {
        get
        {
            lock (_lock)
            {
                return _shuttingDown;
            }
        }
    }

    public AdmitResult Admit(PendingConnection connection)
    {
        lock (_lock)
        {
            if (_admission.Check(_shuttingDown, _busy + _pending.Count, connection.Peer.Address) is { } refusal)
            {
                return AdmitResult.Refused(refusal);
            }

            if (_idle.First is { } node)
            {
                _idle.RemoveFirst();
                CountConnection(connection);
                BecomeBusy(node.Value, connection);
                return AdmitResult.Assigned(node.Value);
            }

            if (_backoff.IsActive)
            {
                return AdmitResult.Refused(Refusal.Busy);
            }

            CountConnection(connection);
            _pending.Enqueue(connection);
            return AdmitResult.Queued;
        }
    }

    /// <summary>
    /// True (and one more counted as starting) if a worker should be started now: for a waiting connection that has
    /// none on the way, or to fill the pool; never past the process budget, during a back-off, or in shutdown.
    /// </summary>
    public bool TryReserveSpawn()
    {
        lock (_lock)
        {
            if (_shuttingDown || _backoff.IsActive)
            {
                return false;
            }

            if (_starting + _idle.Count + _busy + _retiring >= _settings.MaxClients)
            {
                return false;
            }

            var forPending = _pending.Count - _starting;
            var forPool = _settings.Prespawn - _idle.Count - Math.Max(0, _starting - _pending.Count);
            if (forPending <= 0 && forPool <= 0)
            {
                return false;
            }

            _starting++;
            return true;
        }
    }

    /// <summary>A reserved spawn did not happen (the process could not be started).</summary>
    public void SpawnFailed()
    {
        lock (_lock)
        {
            _starting--;
        }
    }

    /// <summary>A reserved spawn happened; the slot is in state Starting.</summary>
    public void Started(WorkerSlot slot)
    {
        lock (_lock)
        {
            _slots.Add(slot.WorkerId, slot);
        }
    }

    /// <summary>
    /// The worker attached. Returns the oldest waiting connection for it to serve, or null if it goes to the pool
    /// (or is already gone, or the server is shutting down).
    /// </summary>
    public PendingConnection? Attached(WorkerSlot slot)
    {
        lock (_lock)
        {
            if (slot.Life.State != WorkerState.Starting)
            {
                return null;
            }

            _starting--;
            if (!_shuttingDown && _pending.TryDequeue(out var connection))
            {
                BecomeBusy(slot, connection);
                return connection;
            }

            slot.Life.Attach();
            _idle.AddLast(slot);
            return null;
        }
    }

    /// <summary>
    /// <c>--worker-reuse</c>: the worker's client left cleanly and everything the supervisor queued for that client
    /// is out of its pipe. Releases the connection (the per-address count with it) and moves the worker back to Idle
    /// (<see cref="WorkerLifecycle.Recycle"/>); then, in this order: it retires once it has served
    /// <c>--worker-reuse</c> clients, or in shutdown; it takes the oldest waiting connection if there is one; it
    /// retires if the pool already holds <see cref="ServerSettings.MaxIdleWorkers"/>; else it is pooled.
    /// </summary>
    public RecycleResult Recycled(WorkerSlot slot)
    {
        lock (_lock)
        {
            if (slot.Life.State != WorkerState.Busy || !slot.Life.Recycling || slot.Life.KillReason is not null)
            {
                return new RecycleResult(RecycleOutcome.Gone);
            }

            _busy--;
            var served = slot.Life.Recycle();
            ReleaseConnection(served);
            var uses = slot.Life.Uses;
            if (uses >= _settings.WorkerReuse)
            {
                return Retire(slot, served, $"it has served {uses} clients (--worker-reuse {_settings.WorkerReuse})");
            }

            if (_shuttingDown)
            {
                return Retire(slot, served, "the server is shutting down");
            }

            if (_pending.TryDequeue(out var next))
            {
                BecomeBusy(slot, next);
                return new RecycleResult(RecycleOutcome.Reassigned, served, next);
            }

            if (_idle.Count >= _settings.MaxIdleWorkers)
            {
                return Retire(slot, served, $"the pool already holds {_idle.Count} idle workers (twice --prespawn)");
            }

            _idle.AddLast(slot);
            return new RecycleResult(RecycleOutcome.Pooled, served);
        }
    }

    /// <summary>The worker's process was reaped: free its slot and whatever it counted for. Returns its last state.</summary>
    public WorkerState Remove(WorkerSlot slot)
    {
        lock (_lock)
        {
            var state = slot.Life.Exit();
            switch (state)
            {
                case WorkerState.Starting:
                    _starting--;
                    break;
                case WorkerState.Idle:
                    _idle.Remove(slot);
                    break;
                case WorkerState.Busy:
                    _busy--;
                    break;
                case WorkerState.Retiring:
                    _retiring--;
                    break;
                case WorkerState.Exited:
                    return state;
            }

            if (slot.Life.Connection is { } connection)
            {
                ReleaseConnection(connection);
            }

            _slots.Remove(slot.WorkerId);
            return state;
        }
    }

    /// <summary>Takes every waiting connection (to refuse them: no worker is coming soon).</summary>
    public List<PendingConnection> TakeAllPending()
    {
        lock (_lock)
        {
            var all = _pending.ToList();
            _pending.Clear();
            all.ForEach(ReleaseConnection);
            return all;
        }
    }

    /// <summary>Takes the connections that have waited longer than <paramref name="maxWait"/>.</summary>
    public List<PendingConnection> TakeExpiredPending(TimeSpan maxWait)
    {
        var limit = _time.GetTimestamp() - (long)(maxWait.TotalSeconds * _time.TimestampFrequency);
        var expired = new List<PendingConnection>();
        lock (_lock)
        {
            while (_pending.TryPeek(out var oldest) && oldest.AcceptedTimestamp < limit)
            {
                _pending.Dequeue();
                ReleaseConnection(oldest);
                expired.Add(oldest);
            }
        }

        return expired;
    }

    /// <summary>All workers now, for /ps and for shutdown.</summary>
    public List<WorkerSlot> Snapshot()
    {
        lock (_lock)
        {
            return [.. _slots.Values.OrderBy(s => s.WorkerId)];
        }
    }

    /// <summary>No more admissions or spawns. Returns the workers to stop and the connections to refuse.</summary>
    public (List<WorkerSlot> Workers, List<PendingConnection> Pending) BeginShutdown()
    {
        lock (_lock)
        {
            _shuttingDown = true;
        }

        return (Snapshot(), TakeAllPending());
    }

    private void BecomeBusy(WorkerSlot slot, PendingConnection connection)
    {
        slot.Assign(connection);
        _busy++;
    }

    private RecycleResult Retire(WorkerSlot slot, PendingConnection served, string why)
    {
        slot.Life.Retire();
        _retiring++;
        return new RecycleResult(RecycleOutcome.Retired, served, Why: why);
    }

    private void CountConnection(PendingConnection connection)
    {
        _admission.Count(connection.Peer.Address);
        connection.Counted = true;
    }

    private void ReleaseConnection(PendingConnection connection)
    {
        if (!connection.Counted)
        {
            return;
        }

        connection.Counted = false;
        _admission.Release(connection.Peer.Address);
    }
}

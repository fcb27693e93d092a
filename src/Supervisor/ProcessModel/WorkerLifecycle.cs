namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// A worker's mutable state, with one owner and named transitions:
/// <code>
///   Starting ──Attach──▶ Idle ──Assign──▶ Busy ──HandedOff──▶ (in the room) ──SaidReady──▶ (serving)
///      │                   │                │
///      └──────Assign───────┼────────────────┘        any state ──Exit──▶ Exited (once)
/// </code>
/// Facts recorded on the way: the connection (Assign), whether the room took the client in (HandedOff), what the
/// worker said as it left (SaidLeaving), and why the supervisor killed it (Killed; the first reason wins).
/// </summary>
/// <remarks>
/// Each transition is called by the one type that owns that step: the registry (Attach, Assign, Exit, under its own
/// lock), <c>HandOff</c> (HandedOff), the pipe reader (SaidReady, SaidLeaving), <see cref="WorkerSlot.Kill"/>
/// (Killed). A transition that does not fit the state throws <see cref="InvalidOperationException"/>, except where a
/// worker's own frame drives it (SaidReady returns false, and the reader treats that as a protocol violation). The
/// lock is a leaf: nothing is called while it is held.
/// </remarks>
internal sealed class WorkerLifecycle
{
    private readonly Lock _lock = new();
    private WorkerState _state = WorkerState.Starting;
    private PendingConnection? _connection;
    private bool _handedOff;
    private bool _joined;
    private bool _ready;
    private Protocol.LeavingMessage? _leaving;
    private string? _killReason;
    private bool _misbehaved;

    public WorkerState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>The connection handed to this worker, once there is one.</summary>
    public PendingConnection? Connection
    {
        get
        {
            lock (_lock)
            {
                return _connection;
            }
        }
    }

    /// <summary>True once the room took this worker's client in (at the hand-off); its leave is announced then.</summary>
    public bool Joined
    {
        get
        {
            lock (_lock)
            {
                return _joined;
            }
        }
    }

    /// <summary>True once the worker said Ready: it took its client's socket and serves it.</summary>
    public bool Ready
    {
        get
        {
            lock (_lock)
            {
                return _ready;
            }
        }
    }

    /// <summary>What the worker said in its Leaving frame, if it said anything before it exited.</summary>
    public Protocol.LeavingMessage? Leaving
    {
        get
        {
            lock (_lock)
            {
                return _leaving;
            }
        }
    }

    /// <summary>Why the supervisor killed this worker, if it did.</summary>
    public string? KillReason
    {
        get
        {
            lock (_lock)
            {
                return _killReason;
            }
        }
    }

    /// <summary>True when the supervisor killed it for breaking the rules (the next spawn backs off).</summary>
    public bool Misbehaved
    {
        get
        {
            lock (_lock)
            {
                return _misbehaved;
            }
        }
    }

    /// <summary>Starting → Idle: attached with the right secret, and no connection waits; it goes to the pool.</summary>
    public void Attach()
    {
        lock (_lock)
        {
            Require(_state == WorkerState.Starting, "attach");
            _state = WorkerState.Idle;
        }
    }

    /// <summary>Starting or Idle → Busy: it is given <paramref name="connection"/> to serve.</summary>
    public void Assign(PendingConnection connection)
    {
        lock (_lock)
        {
            Require(_state is WorkerState.Starting or WorkerState.Idle, "be assigned a connection");
            _state = WorkerState.Busy;
            _connection = connection;
        }
    }

    /// <summary>Busy: the socket left the supervisor for this worker; <paramref name="joined"/> when the room took the client in.</summary>
    public void HandedOff(bool joined)
    {
        lock (_lock)
        {
            Require(_state == WorkerState.Busy && !_handedOff, "be handed a socket");
            _handedOff = true;
            _joined = joined;
        }
    }

    /// <summary>The worker said Ready. False when that makes no sense now (twice, or before any hand-off).</summary>
    public bool SaidReady()
    {
        lock (_lock)
        {
            if (_ready || !_handedOff || _state != WorkerState.Busy)
            {
                return false;
            }

            _ready = true;
            return true;
        }
    }

    /// <summary>The worker said why its client is leaving (the last word wins: it is the one sent as it exits).</summary>
    public void SaidLeaving(Protocol.LeavingMessage leaving)
    {
        lock (_lock)
        {
            _leaving = leaving;
        }
    }

    /// <summary>The supervisor is killing it. Only the first reason is kept; true for that first call.</summary>
    public bool Killed(string reason, bool misbehaved)
    {
        lock (_lock)
        {
            if (_killReason is not null)
            {
                return false;
            }

            _killReason = reason;
            _misbehaved = misbehaved;
            return true;
        }
    }

    /// <summary>Any state → Exited: the process was reaped. Returns the state it left (Exited if it was already).</summary>
    public WorkerState Exit()
    {
        lock (_lock)
        {
            var was = _state;
            _state = WorkerState.Exited;
            return was;
        }
    }

    private void Require(bool allowed, string what)
    {
        if (!allowed)
        {
            throw new InvalidOperationException($"A worker in state {_state} cannot {what}.");
        }
    }
}

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// A worker's mutable state, with one owner and named transitions:
/// <code>
///   Starting ──Attach──▶ Idle ──Assign──▶ Busy ──HandedOff──▶ (in the room) ──SaidReady──▶ (serving)
///      │                   │                │
///      └──────Assign───────┼────────────────┘        any state ──Exit──▶ Exited (once)
///                          ▲                │
///                          └───Recycle──────┘ (SaidRecycled first)   Idle ──Retire──▶ Retiring
/// </code>
/// Facts recorded on the way: the connection (Assign), whether the room took the client in (HandedOff), what the
/// worker said as it left (SaidLeaving), and why the supervisor killed it (Killed; the first reason wins). With
/// <c>--worker-reuse</c> a worker whose client left cleanly says Recycled (SaidRecycled) and goes back to Idle
/// (Recycle): every fact about that client is cleared, and only <see cref="Uses"/>, the clients it has served, stays.
/// </summary>
/// <remarks>
/// Each transition is called by the one type that owns that step: the registry (Attach, Assign, Exit, under its own
/// lock; and Recycle, Retire), <c>HandOff</c> (HandedOff), the pipe reader (SaidReady, SaidLeaving, SaidRecycled),
/// <see cref="WorkerSlot.Kill"/> (Killed). A transition that does not fit the state throws <see cref="InvalidOperationException"/>, except where a
/// worker's own frame drives it (SaidReady and SaidRecycled return false, and the reader treats that as a protocol
/// violation). The
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
    private bool _recycling;
    private int _uses;

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

    /// <summary>Clients this worker has been given, counted at each Assign; kept across recycles.</summary>
    public int Uses
    {
        get
        {
            lock (_lock)
            {
                return _uses;
            }
        }
    }

    /// <summary>True between a clean Recycled and the Recycle (or the exit): the supervisor is taking it back.</summary>
    public bool Recycling
    {
        get
        {
            lock (_lock)
            {
                return _recycling;
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
            _uses++;
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

    /// <summary>
    /// The worker said Recycled. True only when reusing it is clean: it is Busy and said Ready, its last word was a
    /// Leaving for a clean end (the client closed, or typed /quit: no limit hit, no error, no shutdown), it did not say
    /// Recycled already, and the supervisor is not killing it (it misbehaved, fell behind, was dropped). False
    /// otherwise; the reader then treats the frame as a protocol violation (or ignores it from a worker being killed).
    /// </summary>
    public bool SaidRecycled()
    {
        lock (_lock)
        {
            if (_state != WorkerState.Busy || !_ready || _recycling || _killReason is not null ||
                _leaving is not { Reason: Protocol.LeaveReason.ClientClosed or Protocol.LeaveReason.Quit })
            {
                return false;
            }

            _recycling = true;
            return true;
        }
    }

    /// <summary>
    /// Busy → Idle, after SaidRecycled: the client is gone and the worker waits for the next one. Clears everything
    /// about that client (the connection, the hand-off, joined, ready, its Leaving); keeps <see cref="Uses"/>.
    /// Returns the connection it served.
    /// </summary>
    public PendingConnection Recycle()
    {
        lock (_lock)
        {
            Require(_state == WorkerState.Busy && _recycling && _killReason is null, "be recycled");
            var served = _connection!;
            _state = WorkerState.Idle;
            _connection = null;
            _handedOff = false;
            _joined = false;
            _ready = false;
            _leaving = null;
            _recycling = false;
            return served;
        }
    }

    /// <summary>Idle → Retiring: a recycled worker told to exit rather than pooled again.</summary>
    public void Retire()
    {
        lock (_lock)
        {
            Require(_state == WorkerState.Idle, "retire");
            _state = WorkerState.Retiring;
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

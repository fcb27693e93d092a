namespace ChatFork.Supervisor.ProcessModel;

/// <summary>Where a worker is in its life. <see cref="WorkerLifecycle"/> owns the transitions.</summary>
internal enum WorkerState
{
    /// <summary>Process started; not yet attached to its pipe with the right secret.</summary>
    Starting,
    /// <summary>Attached and waiting in the pool for a connection.</summary>
    Idle,
    /// <summary>Given a connection: serving its one client.</summary>
    Busy,
    /// <summary>
    /// <c>--worker-reuse</c>: its client left and it was told to exit (Shutdown) rather than pooled again: it served its
    /// last client, the pool was full, or the server is shutting down. It still counts against <c>--max-clients</c>.
    /// </summary>
    Retiring,
    /// <summary>The process has exited and been reaped; the slot is free.</summary>
    Exited,
}

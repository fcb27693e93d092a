namespace ChatFork.Supervisor.ProcessModel;

/// <summary>What the registry decided about a worker whose client left cleanly (<c>--worker-reuse</c>).</summary>
/// <param name="Served">The connection it served, now released (null when <see cref="RecycleOutcome.Gone"/>).</param>
/// <param name="Next">The waiting connection it takes at once (<see cref="RecycleOutcome.Reassigned"/>).</param>
/// <param name="Why">Why it retires (<see cref="RecycleOutcome.Retired"/>), as the log says it.</param>
internal readonly record struct RecycleResult(RecycleOutcome Outcome, PendingConnection? Served = null, PendingConnection? Next = null, string? Why = null);

internal enum RecycleOutcome
{
    /// <summary>It exited (or was killed) meanwhile: nothing to do, the reaper accounts for it.</summary>
    Gone,
    /// <summary>Back in the pool, idle, for the next connection.</summary>
    Pooled,
    /// <summary>A connection was waiting: hand it to this worker now.</summary>
    Reassigned,
    /// <summary>It is not to be reused (its last use, a full pool, shutdown): send it Shutdown; it exits.</summary>
    Retired,
}

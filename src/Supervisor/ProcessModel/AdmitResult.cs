namespace ChatFork.Supervisor.ProcessModel;

/// <summary>What the registry decided about a new connection.</summary>
internal readonly record struct AdmitResult(AdmitOutcome Outcome, WorkerSlot? Worker = null, string? Refusal = null)
{
    public static AdmitResult Assigned(WorkerSlot worker) => new(AdmitOutcome.Assigned, worker);

    public static AdmitResult Queued { get; } = new(AdmitOutcome.Queued);

    public static AdmitResult Refused(string line) => new(AdmitOutcome.Refused, Refusal: line);
}

internal enum AdmitOutcome
{
    /// <summary>An idle worker was free: hand the connection to it now.</summary>
    Assigned,
    /// <summary>No idle worker: the connection waits for the next one to attach.</summary>
    Queued,
    /// <summary>A limit says no: tell the client <see cref="AdmitResult.Refusal"/> and close.</summary>
    Refused,
}

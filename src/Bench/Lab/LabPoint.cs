namespace ChatFork.Bench.Lab;

/// <summary>
/// The figures of one point of the sweep: one model at one client count, measured against a chatfork started for it
/// alone. A figure is null when it could not be measured; <see cref="Error"/> and <see cref="Notes"/> say why.
/// </summary>
internal sealed class LabPoint
{
    public LabPoint(string model, int clients)
    {
        Model = model;
        Clients = clients;
    }

    public string Model { get; }

    public int Clients { get; }

    /// <summary>How chatfork was started, without the port (always 0, chosen by the kernel).</summary>
    public string Server { get; set; } = "";

    /// <summary>Connect to the greeting's last line, median, with the other clients connected.</summary>
    public double? GreetingP50Ms { get; set; }

    public double? GreetingP99Ms { get; set; }

    /// <summary>How many connects were timed.</summary>
    public int? GreetingsTimed { get; set; }

    /// <summary>One line from one client to all the others: time to the last receipt, median over the rounds.</summary>
    public double? FanoutP50Ms { get; set; }

    /// <summary>Rounds that reached every other client.</summary>
    public int? FanoutRounds { get; set; }

    /// <summary>Chat burst: lines delivered per second, counting each line once per receiver.</summary>
    public double? DeliveriesPerSecond { get; set; }

    public long? Deliveries { get; set; }

    public long? Lost { get; set; }

    /// <summary>Pss of the whole tree with the clients connected, and with none (right after start).</summary>
    public double? PssTotalMiB { get; set; }

    public double? PssIdleMiB { get; set; }

    /// <summary><see cref="PssTotalMiB"/> divided by the clients: what each client costs, fixed costs shared out.</summary>
    public double? PssPerClientMiB => PssTotalMiB / Clients;

    /// <summary>What each client adds: (<see cref="PssTotalMiB"/> - <see cref="PssIdleMiB"/>) / clients.</summary>
    public double? MarginalPssPerClientMiB => (PssTotalMiB - PssIdleMiB) / Clients;

    /// <summary>Live processes and OS threads in the tree with the clients connected.</summary>
    public int? Processes { get; set; }

    public int? Threads { get; set; }

    public int? IdleProcesses { get; set; }

    public int? IdleThreads { get; set; }

    /// <summary>CPU time (user + system) the tree used from its start-up settling to the end of the last phase.</summary>
    public double? CpuSeconds { get; set; }

    public double DurationSeconds { get; set; }

    /// <summary>Set when a phase failed; a sentence.</summary>
    public string? Error { get; set; }

    public IList<string> Notes { get; } = [];

    /// <summary>
    /// What the readiness barriers took, when more than one line (kept apart from <see cref="Notes"/>: a line sent
    /// before the server has joined every fresh connection misses the late ones, so a second line is usual).
    /// </summary>
    public IList<string> Readiness { get; } = [];
}

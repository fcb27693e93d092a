using ChatFork.Bench.Results;

namespace ChatFork.Bench.Lab;

/// <summary>results.json: how the lab was run, on what, and every point's figures, notes and errors.</summary>
/// <param name="Command">The command line.</param>
/// <param name="Machine">What the figures were measured on (the load average is the one at the start).</param>
/// <param name="ChatFork">The chatfork executable measured.</param>
/// <param name="Plan">Models, client counts and the size of each measurement.</param>
/// <param name="Points">One per model and client count, in the order they ran.</param>
internal sealed record LabReport(
    string Command,
    MachineInfo Machine,
    string ChatFork,
    LabPlan Plan,
    IReadOnlyList<LabPoint> Points);

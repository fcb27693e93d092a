namespace ChatFork.Bench.Results;

/// <summary>The JSON document: the machine, every raw result, and the comparison when there was one.</summary>
internal sealed record BenchReport(
    string Command,
    MachineInfo Machine,
    IList<ScenarioResult> Results,
    IList<ComparisonRow>? Comparison);

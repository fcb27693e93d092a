namespace ChatFork.Bench.Compare;

/// <summary>A row of the compare table: which metric, from which ChatFork variant, held to which target.</summary>
internal sealed record CompareRowSpec(string MetricKey, string Variant = "", Target? Target = null);

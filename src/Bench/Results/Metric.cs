namespace ChatFork.Bench.Results;

/// <summary>One figure of a scenario run; <see cref="Value"/> is null when it does not apply (n/a).</summary>
/// <param name="Key">Stable name for JSON and for the compare table, e.g. <c>conns_per_s</c>.</param>
/// <param name="Label">What a reader sees.</param>
/// <param name="Value">The figure.</param>
/// <param name="Unit">Its unit, e.g. <c>ms</c>, <c>MiB</c>, <c>/s</c>.</param>
/// <param name="Better">Which direction is good.</param>
internal sealed record Metric(string Key, string Label, double? Value, string Unit, Better Better);

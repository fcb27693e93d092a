namespace ChatFork.Bench.Results;

/// <summary>One line of the compare table, as written to JSON.</summary>
internal sealed record ComparisonRow(
    string Scenario,
    string Metric,
    string Key,
    string Unit,
    string ChatForkServer,
    double? ChatFork,
    string Peer,
    double? PeerValue,
    double? Ratio,
    Better Better,
    string? Target,
    string Verdict);

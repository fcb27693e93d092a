namespace ChatFork.Bench.Compare;

/// <summary>One line of issue 13's target table, and where compare finds the figure it is judged on.</summary>
/// <param name="What">What is measured, as the issue says it ("chat-burst 50 × 200").</param>
/// <param name="Goal">The target as the issue states it ("≥ 1.0× ncat's deliveries per second").</param>
/// <param name="Kind">How the figure is compared with <paramref name="Limit"/>.</param>
/// <param name="Limit">The factor or the absolute limit.</param>
/// <param name="Case">The compare case's title ("chat-burst", "spawn").</param>
/// <param name="Variant">The ChatFork variant's name ("" for the default).</param>
/// <param name="Key">The metric's key.</param>
/// <param name="Unit">The figure's unit, for the measured column.</param>
internal sealed record IssueTarget(
    string What, string Goal, GoalKind Kind, double Limit, string Case, string Variant, string Key, string Unit = "");

namespace ChatFork.Bench.Compare;

/// <summary>One way of starting ChatFork for a compare case, e.g. a warm pool (--prespawn 8) or a cold start.</summary>
/// <param name="Name">Empty for the only variant of a case; else shown beside the metric ("warm").</param>
/// <param name="Prespawn">ChatFork's --prespawn, or null for the --prespawn given to the bench, if any.</param>
/// <param name="Gap">For the greeting: a pause between connections (see GreetingScenario.Gap); zero: back to back.</param>
internal sealed record ChatForkVariant(string Name, int? Prespawn, TimeSpan Gap = default);

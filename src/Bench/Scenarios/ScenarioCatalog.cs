namespace ChatFork.Bench.Scenarios;

/// <summary>The scenarios by name, with their default sizes.</summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<string> Names { get; } =
        ["echo-seq", "echo-burst", "greeting", "chat-burst", "fanout", "memory", "scale"];

    public static IScenario Create(string name, ScenarioSizes sizes) => name switch
    {
        "echo-seq" => new EchoSeqScenario(Positive(sizes.Count ?? 2000, "-n")),
        "echo-burst" => new EchoBurstScenario(Positive(sizes.Clients ?? 200, "-c")),
        "greeting" => new GreetingScenario(Positive(sizes.Count ?? 500, "-n"))
        {
            Gap = TimeSpan.FromMilliseconds(sizes.GapMilliseconds ?? 0),
        },
        "chat-burst" => new ChatBurstScenario(AtLeastTwo(sizes.ChatClients ?? 50), Positive(sizes.Messages ?? 200, "-m")),
        "fanout" => new FanoutScenario(AtLeastTwo(sizes.ChatClients ?? 50), Positive(sizes.Rounds ?? 50, "-r")),
        "memory" => new MemoryScenario(Positive(sizes.Clients ?? 200, "-c")),
        "scale" => new ScaleScenario(Math.Max(2, Positive(sizes.Clients ?? 1000, "-c"))),
        _ => throw new BenchException($"There is no scenario called '{name}'; choose one of {string.Join(", ", Names)}."),
    };

    private static int Positive(int value, string option) =>
        value > 0 ? value : throw new BenchException($"{option} must be a positive number, not {value}.");

    private static int AtLeastTwo(int value) =>
        value >= 2 ? value : throw new BenchException($"-k must be at least 2 (a sender and a receiver), not {value}.");
}

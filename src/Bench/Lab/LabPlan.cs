using System.Text.Json.Serialization;

namespace ChatFork.Bench.Lab;

/// <summary>
/// What one lab run measures: which models, at which client counts, and how much of each measurement. Written into
/// results.json and report.md, so that a figure can be traced to the sizes behind it.
/// </summary>
/// <param name="Models">chatfork --model values, in the order they run at each client count.</param>
/// <param name="Clients">Client counts, ascending.</param>
/// <param name="Greetings">Timed sequential connects per point, each with the other clients connected.</param>
/// <param name="FanoutRounds">Rounds of one line from one client to all the others.</param>
/// <param name="BurstLines">Lines each client sends in the chat burst.</param>
/// <param name="Prespawn">The process model's --prespawn (the other models have no pool).</param>
/// <param name="PhaseTimeoutSeconds">Hard time bound of each phase.</param>
/// <param name="BudgetSeconds">How long a repeating measurement (greetings, fan-out rounds) may go on before it
/// stops with what it has.</param>
/// <param name="Quick">Whether this is the tiny sweep for tests.</param>
internal sealed record LabPlan(
    IReadOnlyList<string> Models,
    IReadOnlyList<int> Clients,
    int Greetings,
    int FanoutRounds,
    int BurstLines,
    int Prespawn,
    int PhaseTimeoutSeconds,
    int BudgetSeconds,
    bool Quick)
{
    public static IReadOnlyList<string> AllModels { get; } = ["process", "thread", "async"];

    public static IReadOnlyList<int> DefaultClients { get; } = [10, 50, 200];

    public static IReadOnlyList<int> QuickClients { get; } = [3, 6];

    // Enough for a thousand clients of the full lab, with room for the greeting connections and for connections of
    // an earlier phase that are still closing.
    private const int MinimumMaxClients = 1024;

    [JsonIgnore]
    public TimeSpan PhaseTimeout => TimeSpan.FromSeconds(PhaseTimeoutSeconds);

    [JsonIgnore]
    public TimeSpan Budget => TimeSpan.FromSeconds(BudgetSeconds);

    public int Points => Models.Count * Clients.Count;

    public static LabPlan From(LabVerbOptions options)
    {
        var models = options.Models.Select(m => m.Trim().ToLowerInvariant()).Where(m => m.Length > 0).Distinct().ToList();
        if (models.Count == 0)
        {
            models = [.. AllModels];
        }

        foreach (var model in models)
        {
            if (!AllModels.Contains(model))
            {
                throw new BenchException(
                    $"--models takes {string.Join(", ", AllModels)}; '{model}' is not one of them.");
            }
        }

        var clients = options.Clients.Distinct().Order().ToList();
        if (clients.Count == 0)
        {
            clients = [.. options.Quick ? QuickClients : DefaultClients];
        }

        if (clients[0] < 2)
        {
            throw new BenchException(
                $"--clients must all be at least 2 (a fan-out needs a sender and a receiver), not {clients[0]}.");
        }

        if (clients[^1] > 5000)
        {
            throw new BenchException($"--clients goes up to 5000 here; {clients[^1]} is more than a 2-core lab needs.");
        }

        if (options.TimeoutSeconds <= 0)
        {
            throw new BenchException($"--timeout must be a positive number of seconds, not {options.TimeoutSeconds}.");
        }

        var quick = options.Quick;
        return new LabPlan(
            models,
            clients,
            Positive(options.Greetings ?? (quick ? 3 : 20), "--greetings"),
            Positive(options.Rounds ?? (quick ? 3 : 10), "--rounds"),
            Positive(options.Lines ?? (quick ? 2 : 5), "--lines"),
            NotNegative(options.Prespawn ?? (quick ? 2 : 4), "--prespawn"),
            options.TimeoutSeconds,
            quick ? 5 : 30,
            quick);
    }

    /// <summary>chatfork's --max-clients and --max-clients-per-ip for a point: far above what the point connects.</summary>
    public int MaxClientsFor(int clients) => Math.Max(MinimumMaxClients, (clients * 3) + Prespawn + Greetings);

    private static int Positive(int value, string option) =>
        value > 0 ? value : throw new BenchException($"{option} must be a positive number, not {value}.");

    private static int NotNegative(int value, string option) =>
        value >= 0 ? value : throw new BenchException($"{option} must be 0 or more, not {value}.");
}

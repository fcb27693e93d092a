namespace ChatFork.Bench.Scenarios;

/// <summary>The size options from the command line; null means the scenario's own default.</summary>
/// <param name="Count">-n: sequential repetitions (echo-seq, greeting).</param>
/// <param name="Clients">-c: clients at once (echo-burst, memory, scale).</param>
/// <param name="ChatClients">-k: chat clients (chat-burst, fanout).</param>
/// <param name="Messages">-m: lines per chat client (chat-burst).</param>
/// <param name="Rounds">-r: broadcast rounds (fanout).</param>
/// <param name="GapMilliseconds">--gap: a pause after each greeting connection (greeting).</param>
internal sealed record ScenarioSizes(int? Count, int? Clients, int? ChatClients, int? Messages, int? Rounds, int? GapMilliseconds = null)
{
    public static ScenarioSizes Defaults { get; } = new(null, null, null, null, null);
}

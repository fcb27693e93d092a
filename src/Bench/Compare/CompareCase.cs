using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Compare;

/// <summary>One scenario run against ChatFork (one or more variants) and against the peer that does the same job.</summary>
/// <param name="Title">The scenario column, e.g. <c>memory (chat)</c>.</param>
/// <param name="Scenario">The scenario's name in the catalog.</param>
/// <param name="Mode">The mode both servers run in.</param>
/// <param name="Peer">socat for echo, ncat for chat.</param>
/// <param name="Variants">The ChatFork set-ups to run.</param>
/// <param name="Rows">What to print.</param>
internal sealed record CompareCase(
    string Title,
    string Scenario,
    ServerMode Mode,
    ServerKind Peer,
    IReadOnlyList<ChatForkVariant> Variants,
    IReadOnlyList<CompareRowSpec> Rows)
{
    /// <summary>Start every server of the case under perf stat and report CPU per delivery (chat-burst, fanout).</summary>
    public bool CountInstructions { get; init; }
}

using System.Net;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Scenarios;

/// <summary>Where the server is and what it does.</summary>
/// <param name="Endpoint">A loopback address and port.</param>
/// <param name="ServerPid">The root of the server's process tree, when known (needed for memory figures).</param>
/// <param name="Mode">Echo or chat.</param>
/// <param name="Budget">
/// How long the repeating scenarios (echo-seq, greeting, fanout) keep repeating before they stop and report what
/// they have, so that one slow server does not hold up a whole comparison. Unlike the hard time bound it leaves a
/// usable result.
/// </param>
internal sealed record ScenarioContext(IPEndPoint Endpoint, int? ServerPid, ServerMode Mode, TimeSpan Budget)
{
    /// <summary>Whether the budget is spent, counting from <paramref name="started"/> (a Stopwatch timestamp).</summary>
    public bool BudgetSpent(long started) => Measure.Clock.MillisecondsSince(started) >= Budget.TotalMilliseconds;

    /// <summary>
    /// Several servers that share one room (chatfork --cluster): the chat scenarios spread their clients over them,
    /// client i on server i mod n. Null: every client on <see cref="Endpoint"/>.
    /// </summary>
    public IReadOnlyList<IPEndPoint>? Spread { get; init; }

    /// <summary>Which server it is: ChatFork greets each client with a line of its own, ncat does not.</summary>
    public ServerKind Kind { get; init; } = ServerKind.External;

    /// <summary>The hard time bound of the run (--timeout); a scenario that must leave time to report stays inside it.</summary>
    public TimeSpan HardLimit { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Set when the server runs under perf stat: a scenario that counts CPU per delivery opens it around its timed
    /// part, and adds a <c>deliveries</c> figure (or <c>delivered</c>) to divide by.
    /// </summary>
    public Measure.PerfWindow? Perf { get; init; }

    /// <summary>Opens the perf window, when there is one.</summary>
    public Task BeginCountingAsync(CancellationToken cancellationToken) =>
        Perf?.EnableAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>Closes the perf window, when there is one.</summary>
    public Task EndCountingAsync(CancellationToken cancellationToken) =>
        Perf?.DisableAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>Where the chat scenarios connect their clients.</summary>
    public IReadOnlyList<IPEndPoint> ChatEndpoints => Spread ?? [Endpoint];
}

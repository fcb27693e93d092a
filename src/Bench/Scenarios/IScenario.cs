using ChatFork.Bench.Results;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Scenarios;

/// <summary>
/// One measurement. Every loop in a scenario is bounded both in count and by the cancellation token, which the
/// runner cancels after --timeout; a scenario that is cut short still reports what it measured and says so in a note.
/// </summary>
internal interface IScenario
{
    string Name { get; }

    /// <summary>The kind of server the scenario needs, or null when either kind will do.</summary>
    ServerMode? Needs { get; }

    /// <summary>The most clients connected at once, so a started server can be given room for them.</summary>
    int MaxClients { get; }

    Task RunAsync(ScenarioContext context, ScenarioResult result, CancellationToken cancellationToken);
}

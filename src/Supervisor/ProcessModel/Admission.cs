using ChatFork.Supervisor.Logging;
using NLog;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// Admits or refuses each accepted connection (the registry's limits decide), hands it at once to an idle worker if
/// there is one, or leaves it waiting for the next; and turns away the connections that waited too long or that no
/// worker is coming for. Refusals are logged at Warn, once per burst for each reason.
/// </summary>
internal sealed class Admission
{
    private static readonly Logger s_log = LogManager.GetLogger("admission");

    private readonly ServerSettings _settings;
    private readonly WorkerRegistry _registry;
    private readonly HandOff _handOff;
    private readonly Action _spawnMore;
    private readonly RefusalLog _refusals = new(s_log);

    /// <param name="spawnMore">Asks the launcher to look again: the pool is one short, or a connection waits.</param>
    public Admission(ServerSettings settings, WorkerRegistry registry, HandOff handOff, Action spawnMore)
    {
        _settings = settings;
        _registry = registry;
        _handOff = handOff;
        _spawnMore = spawnMore;
    }

    /// <summary>A connection was accepted (on the accept thread). Never blocks for long.</summary>
    public void Accepted(PendingConnection connection)
    {
        var result = _registry.Admit(connection);
        switch (result.Outcome)
        {
            case AdmitOutcome.Assigned:
                _handOff.Give(result.Worker!, connection);
                _spawnMore();
                break;
            case AdmitOutcome.Queued:
                _spawnMore();
                break;
            default:
                Refuse(connection, result.Refusal!, result.Refusal!);
                break;
        }
    }

    /// <summary>Refuses the connections that waited longer than <c>--queue-timeout</c> for a worker.</summary>
    public void RefuseExpired()
    {
        foreach (var connection in _registry.TakeExpiredPending(_settings.QueueTimeout))
        {
            _refusals.Hit("expired", $"connection {connection.Id} from {connection.PeerText} waited {_settings.QueueTimeout.TotalSeconds:0} s for a worker (--queue-timeout); refusing it");
            Refusal.Send(connection.Socket, Refusal.Busy);
        }
    }

    /// <summary>Refuses every waiting connection (a start failed: no worker is coming soon).</summary>
    public void RefuseAllPending(string line)
    {
        foreach (var connection in _registry.TakeAllPending())
        {
            Refuse(connection, line, line);
        }
    }

    public void FlushWarnings() => _refusals.Flush();

    private void Refuse(PendingConnection connection, string reason, string line)
    {
        _refusals.Hit(reason, $"refused connection {connection.Id} from {connection.PeerText}: {line[2..]}");
        Refusal.Send(connection.Socket, line);
    }
}

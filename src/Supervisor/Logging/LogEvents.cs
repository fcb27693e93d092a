using NLog;

namespace ChatFork.Supervisor.Logging;

/// <summary>
/// Stable names for the lifecycle events the log reports, one line each, as Kestrel's source-generated log messages
/// carry event ids. The name is written after the logger's (<c>reaper/worker-exited:</c>), so scripts and tests match
/// the event and its values, not the wording of the sentence.
/// </summary>
internal static class LogEvents
{
    public const string Listening = "listening";
    public const string PoolReady = "pool-ready";
    public const string WorkerStarted = "worker-started";
    public const string SpawnBackoff = "spawn-backoff";
    public const string SpawnRecovered = "spawn-recovered";
    public const string Descriptors = "descriptors";
    public const string WorkerAttached = "worker-attached";
    public const string AttachFailed = "attach-failed";
    public const string HandedOff = "handed-off";
    public const string HandOffFailed = "hand-off-failed";
    public const string ProtocolViolation = "protocol-violation";
    public const string ConnectionAccepted = "accepted";
    public const string SlowConsumer = "slow-consumer";
    public const string WorkerRecycled = "worker-recycled";
    public const string WorkerExited = "worker-exited";
    public const string WorkerReaped = "worker-reaped";
    public const string ShutdownStarted = "shutdown-started";
    public const string ShutdownFinished = "shutdown-finished";

    /// <summary>Logs <paramref name="message"/> as the event <paramref name="name"/>.</summary>
    public static void Event(this Logger logger, LogLevel level, string name, string message)
    {
        if (!logger.IsEnabled(level))
        {
            return;
        }

        var e = LogEventInfo.Create(level, logger.Name, message);
        e.Properties["event"] = "/" + name;
        logger.Log(e);
    }
}

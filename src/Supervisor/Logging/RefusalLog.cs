using NLog;

namespace ChatFork.Supervisor.Logging;

/// <summary>
/// Refused connections, logged at Warn once per burst for each reason, so that a rare refusal ("server busy") is
/// not hidden among a flood of common ones ("server full"), and a flood makes a handful of lines.
/// </summary>
internal sealed class RefusalLog
{
    private readonly Logger _logger;
    private readonly Dictionary<string, BurstWarning> _byReason = [];

    public RefusalLog(Logger logger)
    {
        _logger = logger;
    }

    public void Hit(string reason, string message)
    {
        BurstWarning? warning;
        lock (_byReason)
        {
            if (!_byReason.TryGetValue(reason, out warning))
            {
                warning = new BurstWarning(_logger, TimeSpan.FromSeconds(5));
                _byReason.Add(reason, warning);
            }
        }

        warning.Hit(message);
    }

    public void Flush()
    {
        lock (_byReason)
        {
            foreach (var warning in _byReason.Values)
            {
                warning.Flush();
            }
        }
    }
}

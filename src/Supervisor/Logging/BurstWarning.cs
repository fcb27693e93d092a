using System.Diagnostics;
using NLog;

namespace ChatFork.Supervisor.Logging;

/// <summary>
/// Logs a limit being hit once per burst rather than once per event: the first hit in a window is logged at Warn,
/// the rest are counted and the count is logged with the next hit after the window (or at shutdown). A flood of
/// 10,000 refused connections makes a handful of log lines, not 10,000.
/// </summary>
internal sealed class BurstWarning
{
    private readonly Logger _logger;
    private readonly TimeSpan _window;
    private readonly Lock _lock = new();
    private long _windowEnds;
    private int _suppressed;
    private string? _lastMessage;

    public BurstWarning(Logger logger, TimeSpan window)
    {
        _logger = logger;
        _window = window;
    }

    public void Hit(string message)
    {
        int suppressed;
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            if (now < _windowEnds)
            {
                _suppressed++;
                _lastMessage = message;
                return;
            }

            suppressed = _suppressed;
            _suppressed = 0;
            _windowEnds = now + (long)(_window.TotalSeconds * Stopwatch.Frequency);
        }

        _logger.Warn(suppressed > 0 ? $"{message} (and {suppressed} more like it before this)" : message);
    }

    /// <summary>Logs the count of what was held back, if anything was.</summary>
    public void Flush()
    {
        int suppressed;
        string? last;
        lock (_lock)
        {
            suppressed = _suppressed;
            last = _lastMessage;
            _suppressed = 0;
        }

        if (suppressed > 0)
        {
            _logger.Warn($"{suppressed} more like this were not logged one by one; the last: {last}");
        }
    }
}

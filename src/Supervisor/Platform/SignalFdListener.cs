using System.Runtime.Versioning;
using ChatFork.Platform;
using NLog;

namespace ChatFork.Supervisor.Platform;

/// <summary>
/// Linux: reads the shutdown signals from a <c>signalfd</c> on one thread, <c>signal reader</c>, made at start. A
/// signal then costs a <c>read</c>, not a thread: it works when the system is out of pids.
/// </summary>
/// <remarks>
/// The thread and the descriptor live as long as the process: closing a descriptor does not wake a thread blocked
/// in <c>read</c> on it. After <see cref="Dispose"/> (the supervisor has shut down and is about to exit) a signal is
/// read and dropped, as it was once .NET's registrations were disposed.
/// </remarks>
[SupportedOSPlatform("linux")]
internal sealed class SignalFdListener : IDisposable
{
    private readonly SignalFd _fd;
    private readonly Action<string> _onSignal;
    private readonly Logger _log;
    private volatile bool _disposed;

    private SignalFdListener(SignalFd fd, Action<string> onSignal, Logger log)
    {
        _fd = fd;
        _onSignal = onSignal;
        _log = log;
    }

    /// <exception cref="ChatForkException">signalfd failed.</exception>
    public static SignalFdListener Start(int[] signals, Action<string> onSignal, Logger log)
    {
        var listener = new SignalFdListener(SignalFd.Open(signals), onSignal, log);
        new Thread(listener.Run) { IsBackground = true, Name = "signal reader" }.Start();
        return listener;
    }

    public void Dispose() => _disposed = true;

    private void Run()
    {
        while (true)
        {
            int signal;
            try
            {
                signal = _fd.Read();
            }
            catch (ChatForkException e)
            {
                _log.Error($"shutdown signals: {e.Message} SIGTERM and SIGINT are no longer heard; stop the supervisor with SIGKILL");
                return;
            }

            if (_disposed)
            {
                continue;
            }

            try
            {
                _onSignal(UnixSignals.Name(signal));
            }
            catch (Exception e)
            {
                // This thread is the only one that hears the signals: it must outlive whatever a handler does.
                _log.Error(e, $"shutdown signals: handling {UnixSignals.Name(signal)} failed");
            }
        }
    }
}

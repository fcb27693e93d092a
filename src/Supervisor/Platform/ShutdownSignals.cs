using System.Runtime.InteropServices;
using NLog;

namespace ChatFork.Supervisor.Platform;

/// <summary>
/// Where the supervisor hears SIGTERM and SIGINT (Ctrl+C): a <c>signalfd</c> read on a thread made at start, where
/// every thread blocks them (Linux, <see cref="BlockedAtStart"/>); elsewhere .NET's <c>PosixSignalRegistration</c>,
/// which on Windows (and Wine) turns Ctrl+C and the console's close into SIGINT and SIGTERM.
/// </summary>
internal static class ShutdownSignals
{
    /// <summary>Calls <paramref name="onSignal"/> with the signal's name (<c>SIGTERM</c>) for each one, until disposed.</summary>
    public static IDisposable Listen(Action<string> onSignal, Logger log)
    {
        var blocked = BlockedAtStart.Outcome;
        if (OperatingSystem.IsLinux() && blocked.EveryThread)
        {
            var listener = SignalFdListener.Start(blocked.Signals, onSignal, log);
            var names = string.Join(" and ", blocked.Signals.Select(ChatFork.Platform.UnixSignals.Name));
            var ignored = blocked.Signals.Length == 1 ? "; SIGINT stays ignored, as this process's parent left it" : "";
            log.Debug($"shutdown signals: {names} from a signalfd, read on the 'signal reader' thread; every thread blocks them ({blocked.How}){ignored}");
            return listener;
        }

        if (OperatingSystem.IsLinux())
        {
            log.Warn($"shutdown signals: SIGTERM and SIGINT reach .NET's handler, which needs a new thread for each: one that comes while the system is out of processes aborts the supervisor ({blocked.How})");
        }

        var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        return new Registrations(interrupt, terminate);

        void Handle(PosixSignalContext context)
        {
            context.Cancel = true; // the supervisor exits in its own time, in order
            onSignal(context.Signal.ToString());
        }
    }

    private sealed class Registrations(PosixSignalRegistration interrupt, PosixSignalRegistration terminate) : IDisposable
    {
        public void Dispose()
        {
            interrupt.Dispose();
            terminate.Dispose();
        }
    }
}

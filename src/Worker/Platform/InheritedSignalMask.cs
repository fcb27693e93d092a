using ChatFork.Platform;

namespace ChatFork.Worker.Platform;

/// <summary>
/// Linux: a worker is born with SIGTERM and SIGINT blocked, because the supervisor blocks them in every thread
/// (its <c>BlockedAtStart</c>) and .NET's fork/exec gives a child the mask of the thread that forked it. The worker
/// unblocks them in its main thread, first thing.
/// </summary>
/// <remarks>
/// <para>Why: a worker keeps what a signal means to a process. <c>kill -TERM</c> on a worker ends it (the room hears
/// "killed by SIGTERM"); blocked in every thread, SIGTERM would stay pending for the worker's whole life and do
/// nothing. SIGINT is ignored on purpose by the loop worker (<c>sigaction</c>, <c>SIG_IGN</c>: LoopParent), and by the
/// threaded worker through <c>PosixSignalRegistration</c>; a registration sees nothing of a signal that every thread
/// blocks, so that one needs it unblocked too.</para>
/// <para>Why the main thread is enough: the runtime's own threads keep the mask they were born with, but a
/// process-directed signal goes to any thread that does not block it, here the main thread, which runs until the
/// worker exits; the disposition (default, ignored, or the runtime's handler) is the process's. A signal sent
/// before this runs was pending, and is delivered now.</para>
/// </remarks>
internal static class InheritedSignalMask
{
    public static void Release()
    {
        if (OperatingSystem.IsLinux())
        {
            SignalMask.Unblock([UnixSignals.SIGTERM, UnixSignals.SIGINT]);
        }
    }
}

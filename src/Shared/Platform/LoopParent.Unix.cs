using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Unix;

namespace ChatFork.Platform;

/// <summary>Linux: <c>PR_SET_PDEATHSIG</c> and the pipe; SIGINT ignored with <c>sigaction</c>.</summary>
/// <remarks>
/// <para>Who tells the worker that the supervisor died: the pipe. When the supervisor's process ends, the kernel
/// closes its descriptors and the worker's <c>poll</c> sees <c>POLLHUP</c>/end of file on the pipe at once; no other
/// process holds the supervisor's end (it is close-on-exec, see docs/architecture.md, "Who owns which handle when"),
/// and the loop waits for nothing but that <c>poll</c>. A serving worker then tells its client "* server went away",
/// closes it (within the close's flush timeout) and exits.</para>
/// <para>What <c>PR_SET_PDEATHSIG</c> does now: <c>SIGKILL</c> while the worker has no client (in the pool, and
/// between clients of a <c>--reusable</c> worker): nobody to tell, so the kernel itself ends it with the supervisor,
/// even before its loop could run. Cleared (0) while it serves a client: a fatal signal would race the pipe's end of
/// file and usually win (the kernel signals when the thread that started the worker exits, which for a killed
/// supervisor may come before its last descriptor closes), and the client would never hear why. A catchable signal
/// is no help without a thread to catch it: .NET's <c>PosixSignalRegistration</c> is exactly such a thread, and
/// blocking the signal for a <c>signalfd</c> cannot reach the runtime's own threads. So while serving, the worker
/// outlives a dead supervisor only as long as its last words to the client take: bounded, never an orphan that
/// stays.</para>
/// <para>SIGINT: Ctrl+C in a terminal signals the whole process group, workers included. The supervisor shuts down
/// in order (each worker gets a Shutdown frame); a worker must not die of it on its own, so it ignores it.</para>
/// </remarks>
internal static unsafe partial class LoopParent
{
    /// <summary>Ignores SIGINT (<c>SIG_IGN</c>, through <c>sigaction</c>).</summary>
    [UnsupportedOSPlatform("windows")]
    private static void IgnoreInterruptUnix()
    {
        var action = new Libc.SigAction { Handler = Libc.SIG_IGN };
        if (Libc.Sigaction(UnixSignals.SIGINT, &action, null) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new ChatForkException($"sigaction(SIGINT, SIG_IGN) failed: {Marshal.GetPInvokeErrorMessage(errno)}.");
        }
    }

    /// <summary>
    /// With <paramref name="die"/>, the kernel kills this worker when the supervisor dies (<c>SIGKILL</c>); without,
    /// the pipe's end of file says it. Then checks the supervisor is still the parent: it may have died before.
    /// </summary>
    /// <exception cref="ChatForkException">prctl failed, or the supervisor is gone already.</exception>
    [UnsupportedOSPlatform("windows")]
    private static void DieWithSupervisorUnix(bool die, int supervisorProcessId)
    {
        if (Libc.Prctl(Libc.PR_SET_PDEATHSIG, die ? (nuint)UnixSignals.SIGKILL : 0, 0, 0, 0) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new ChatForkException($"prctl(PR_SET_PDEATHSIG) failed: {Marshal.GetPInvokeErrorMessage(errno)}.");
        }

        var parent = Libc.GetParentProcessId();
        if (parent != supervisorProcessId)
        {
            throw new ChatForkException($"The supervisor (pid {supervisorProcessId}) is gone; this worker's parent is now pid {parent}.");
        }
    }
}

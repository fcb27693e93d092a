
namespace ChatFork.Platform;

/// <summary>
/// The loop worker's tie to the supervisor and its one signal disposition, without a signal-handling thread: on
/// Linux <c>PR_SET_PDEATHSIG</c> and the pipe (<c>LoopParent.Unix.cs</c>), on Windows the supervisor's Job object
/// (<c>LoopParent.Windows.cs</c>).
/// </summary>
internal static partial class LoopParent
{
    /// <summary>Ctrl+C (SIGINT, or the console's CTRL_C_EVENT) does not end this worker: the supervisor ends it in order.</summary>
    /// <exception cref="ChatForkException">The OS refused.</exception>
    public static void IgnoreInterrupt()
    {
        if (OperatingSystem.IsWindows())
        {
            IgnoreInterruptWindows();
        }
        else
        {
            IgnoreInterruptUnix();
        }
    }

    /// <summary>
    /// Linux: with <paramref name="die"/>, the kernel kills this worker when the supervisor dies (<c>SIGKILL</c>);
    /// without, the pipe's end of file says it. Windows: the Job object does it either way. Then checks that the
    /// supervisor is still there: it may have died before.
    /// </summary>
    /// <exception cref="ChatForkException">The OS refused, or the supervisor is gone already.</exception>
    public static void DieWithSupervisor(bool die, int supervisorProcessId)
    {
        if (OperatingSystem.IsWindows())
        {
            CheckSupervisorWindows(supervisorProcessId);
        }
        else
        {
            DieWithSupervisorUnix(die, supervisorProcessId);
        }
    }
}

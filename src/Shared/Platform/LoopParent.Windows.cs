using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Windows;

namespace ChatFork.Platform;

/// <summary>
/// Windows: the supervisor started this worker inside its Job object with <c>JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE</c>
/// (<see cref="WindowsProcessLifetime"/>), so the kernel ends the worker when the supervisor ends, by any means; there
/// is no "clear it while serving" as on Linux, and a worker whose supervisor died is killed, not told. What is left
/// here: checking the supervisor is still alive (a handle opened once, with <c>SYNCHRONIZE</c>, and a wait of 0), and
/// ignoring Ctrl+C.
/// </summary>
/// <remarks>
/// A console delivers Ctrl+C by starting a thread in each attached process to run its handlers; with
/// <c>SetConsoleCtrlHandler(NULL, TRUE)</c> the process ignores it (what <c>SIG_IGN</c> is for SIGINT), without a
/// handler of its own. <c>PosixSignalRegistration</c> would register one, run on that thread.
/// </remarks>
internal static partial class LoopParent
{
    private static nint s_supervisor;

    [SupportedOSPlatform("windows")]
    private static void IgnoreInterruptWindows()
    {
        if (!Kernel32.SetConsoleCtrlHandler(0, add: true))
        {
            var error = Marshal.GetLastPInvokeError();
            throw new ChatForkException($"SetConsoleCtrlHandler(NULL, TRUE) failed: {Marshal.GetPInvokeErrorMessage(error)} (error {error}).");
        }
    }

    [SupportedOSPlatform("windows")]
    private static void CheckSupervisorWindows(int supervisorProcessId)
    {
        if (s_supervisor == 0)
        {
            s_supervisor = Kernel32.OpenProcess(Kernel32.SYNCHRONIZE, 0, (uint)supervisorProcessId);
            if (s_supervisor == 0)
            {
                throw new ChatForkException($"The supervisor (pid {supervisorProcessId}) is gone.");
            }
        }

        // The handle keeps the process object, so a later check cannot mistake another process with its pid for it.
        if (Kernel32.WaitForSingleObject(s_supervisor, 0) == Kernel32.WAIT_OBJECT_0)
        {
            throw new ChatForkException($"The supervisor (pid {supervisorProcessId}) is gone.");
        }
    }
}

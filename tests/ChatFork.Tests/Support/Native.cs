using System.Runtime.InteropServices;

namespace ChatFork.Tests.Support;

/// <summary>Signals for the tests' own processes (Process.Kill only sends SIGKILL).</summary>
internal static partial class Native
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGINT = 2;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    public static void Kill(int pid, int signal)
    {
        if (KillNative(pid, signal) != 0 && Marshal.GetLastPInvokeError() != 3 /* ESRCH: gone already */)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }
}

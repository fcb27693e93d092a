using System.Runtime.InteropServices;

namespace ChatFork.Bench.Interop.Unix;

internal static partial class Libc
{
    internal const int SIGKILL = 9;
    internal const int SIGTERM = 15;

    /// <summary>
    /// <c>int kill(pid_t pid, int sig)</c>. Process.Kill only sends SIGKILL; the bench wants SIGTERM first so the
    /// server under test gets to stop its own children, which is part of what is being measured.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int sig);
}

using System.Runtime.InteropServices;

namespace ChatFork.Bench.Interop.Unix;

internal static partial class Libc
{
    internal const int EINTR = 4;
    internal const int ECHILD = 10;

    /// <summary>
    /// <c>pid_t waitpid(pid_t pid, int *wstatus, int options)</c>. Only for children the bench started with
    /// <see cref="PosixSpawn"/>: a child started with <c>Process</c> is reaped by the runtime, never here.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "waitpid", SetLastError = true)]
    internal static partial int WaitPid(int pid, out int status, int options);
}

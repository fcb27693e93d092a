using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static partial class Libc
{
    /// <summary><c>pid_t gettid(void)</c> (glibc 2.30+): the kernel's id of the calling thread, as in /proc/PID/task.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "gettid")]
    internal static partial int GetThreadId();
}

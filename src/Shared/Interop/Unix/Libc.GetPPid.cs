using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static partial class Libc
{
    /// <summary><c>pid_t getppid(void)</c>: 1 (or a subreaper's pid) once the parent is gone.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "getppid")]
    internal static partial int GetParentProcessId();
}

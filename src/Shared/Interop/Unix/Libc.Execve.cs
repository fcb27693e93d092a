using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static unsafe partial class Libc
{
    /// <summary>
    /// <c>int execve(const char *pathname, char *const argv[], char *const envp[])</c>: replaces the process image;
    /// returns only on failure. The pid, the signal mask and descriptors without close-on-exec stay.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "execve", SetLastError = true)]
    internal static partial int Execve(byte* path, byte** arguments, byte** environment);
}

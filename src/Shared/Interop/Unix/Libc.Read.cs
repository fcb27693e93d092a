using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static unsafe partial class Libc
{
    /// <summary>Standard input's descriptor.</summary>
    internal const int STDIN_FILENO = 0;

    /// <summary><c>ssize_t read(int fd, void *buf, size_t count)</c></summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(int fd, byte* buffer, nuint count);
}

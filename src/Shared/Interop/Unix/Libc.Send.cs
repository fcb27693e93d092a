using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static unsafe partial class Libc
{
    /// <summary><c>ssize_t send(int sockfd, const void *buf, size_t len, int flags)</c></summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "send", SetLastError = true)]
    internal static partial nint Send(int socket, byte* buffer, nuint length, int flags);
}

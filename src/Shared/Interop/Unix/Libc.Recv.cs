using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static unsafe partial class Libc
{
    /// <summary><c>ssize_t recv(int sockfd, void *buf, size_t len, int flags)</c></summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "recv", SetLastError = true)]
    internal static partial nint Recv(int socket, byte* buffer, nuint length, int flags);
}

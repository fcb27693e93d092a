using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static unsafe partial class Libc
{
    /// <summary><c>int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen)</c></summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "connect", SetLastError = true)]
    internal static partial int Connect(int socket, byte* address, uint addressLength);
}

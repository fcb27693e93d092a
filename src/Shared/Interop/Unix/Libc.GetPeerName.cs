using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static unsafe partial class Libc
{
    /// <summary><c>int getpeername(int sockfd, struct sockaddr *addr, socklen_t *addrlen)</c></summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "getpeername", SetLastError = true)]
    internal static partial int GetPeerName(int socket, byte* address, uint* addressLength);
}

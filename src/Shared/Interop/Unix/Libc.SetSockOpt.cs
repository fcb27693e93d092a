using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static unsafe partial class Libc
{
    internal const int SO_SNDBUF = 7;
    internal const int IPPROTO_TCP = 6;
    internal const int TCP_NODELAY = 1;

    /// <summary><c>int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen)</c></summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "setsockopt", SetLastError = true)]
    internal static partial int SetSockOpt(int socket, int level, int option, void* value, uint length);
}

using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static unsafe partial class Ws2_32
{
    internal const int SOL_SOCKET = 0xffff;
    internal const int SO_SNDBUF = 0x1001;
    internal const int IPPROTO_TCP = 6;
    internal const int TCP_NODELAY = 0x0001;

    /// <summary><c>int setsockopt(SOCKET s, int level, int optname, const char *optval, int optlen)</c></summary>
    [LibraryImport(Libraries.Ws2_32, EntryPoint = "setsockopt", SetLastError = true)]
    internal static partial int SetSockOpt(nint socket, int level, int name, void* value, int length);
}

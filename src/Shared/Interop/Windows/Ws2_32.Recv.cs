using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static unsafe partial class Ws2_32
{
    internal const int SOCKET_ERROR = -1;
    internal const int WSAEWOULDBLOCK = 10035;

    /// <summary><c>int recv(SOCKET s, char *buf, int len, int flags)</c></summary>
    [LibraryImport(Libraries.Ws2_32, EntryPoint = "recv", SetLastError = true)]
    internal static partial int Recv(nint socket, byte* buffer, int length, int flags);
}

using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static unsafe partial class Ws2_32
{
    internal const ushort AF_INET = 2;
    internal const ushort AF_INET6 = 23;

    /// <summary><c>int getpeername(SOCKET s, struct sockaddr *name, int *namelen)</c></summary>
    [LibraryImport(Libraries.Ws2_32, EntryPoint = "getpeername", SetLastError = true)]
    internal static partial int GetPeerName(nint socket, byte* address, int* length);
}

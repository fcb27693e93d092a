using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static partial class Ws2_32
{
    internal const int FD_READ = 0x01;
    internal const int FD_WRITE = 0x02;
    internal const int FD_CLOSE = 0x20;

    /// <summary>
    /// <c>int WSAEventSelect(SOCKET s, WSAEVENT hEventObject, long lNetworkEvents)</c>: the event is signalled when one
    /// of the network events happens, and the socket becomes non-blocking.
    /// </summary>
    [LibraryImport(Libraries.Ws2_32, SetLastError = true)]
    internal static partial int WSAEventSelect(nint socket, nint eventObject, int networkEvents);
}

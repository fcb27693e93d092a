using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static unsafe partial class Ws2_32
{
    /// <summary>The index of FD_CLOSE's error code in <see cref="WSANETWORKEVENTS.iErrorCode"/>.</summary>
    internal const int FD_CLOSE_BIT = 5;

    /// <summary><c>WSANETWORKEVENTS</c>: <c>long lNetworkEvents; int iErrorCode[FD_MAX_EVENTS]</c> (10).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct WSANETWORKEVENTS
    {
        public int lNetworkEvents;
        public fixed int iErrorCode[10];
    }

    /// <summary>
    /// <c>int WSAEnumNetworkEvents(SOCKET s, WSAEVENT hEventObject, LPWSANETWORKEVENTS lpNetworkEvents)</c>: which
    /// network events happened since the last call; clears that record and resets the event.
    /// </summary>
    [LibraryImport(Libraries.Ws2_32, SetLastError = true)]
    internal static partial int WSAEnumNetworkEvents(nint socket, nint eventObject, WSANETWORKEVENTS* networkEvents);
}

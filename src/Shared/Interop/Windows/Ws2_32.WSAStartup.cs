using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static unsafe partial class Ws2_32
{
    /// <summary>Winsock 2.2, as <c>MAKEWORD(2, 2)</c>.</summary>
    internal const ushort WINSOCK_VERSION = 0x0202;

    /// <summary>
    /// <c>int WSAStartup(WORD wVersionRequired, LPWSADATA lpWSAData)</c>. The <c>WSADATA</c> it fills is 408 bytes on
    /// x64 (two WORDs, two char arrays of 257 and 129, two shorts and a pointer, padded); the caller passes a buffer at
    /// least that large and reads nothing from it. Returns 0 or an error code (not through <c>WSAGetLastError</c>).
    /// </summary>
    [LibraryImport(Libraries.Ws2_32)]
    internal static partial int WSAStartup(ushort versionRequested, byte* data);
}

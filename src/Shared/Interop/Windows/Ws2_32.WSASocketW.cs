using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static unsafe partial class Ws2_32
{
    internal const nint INVALID_SOCKET = -1;

    /// <summary>For each of af, type and protocol: take the value from the <c>WSAPROTOCOL_INFOW</c>.</summary>
    internal const int FROM_PROTOCOL_INFO = -1;

    internal const uint WSA_FLAG_OVERLAPPED = 0x01;
    internal const uint WSA_FLAG_NO_HANDLE_INHERIT = 0x80;

    /// <summary><c>sizeof(WSAPROTOCOL_INFOW)</c>: what <c>WSADuplicateSocketW</c> fills and a hand-off frame carries.</summary>
    internal const int WSAPROTOCOL_INFOW_SIZE = 628;

    /// <summary>
    /// <c>SOCKET WSASocketW(int af, int type, int protocol, LPWSAPROTOCOL_INFOW lpProtocolInfo, GROUP g, DWORD dwFlags)</c>;
    /// with the <c>WSAPROTOCOL_INFOW</c> that <c>WSADuplicateSocketW</c> made for this process, it opens the duplicated
    /// socket (what <c>new Socket(SocketInformation)</c> does).
    /// </summary>
    [LibraryImport(Libraries.Ws2_32, SetLastError = true)]
    internal static partial nint WSASocketW(int addressFamily, int type, int protocol, byte* protocolInfo, uint group, uint flags);
}

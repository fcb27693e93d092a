using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static partial class Ws2_32
{
    /// <summary><c>int closesocket(SOCKET s)</c></summary>
    [LibraryImport(Libraries.Ws2_32, EntryPoint = "closesocket", SetLastError = true)]
    internal static partial int CloseSocket(nint socket);
}

using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static partial class Ws2_32
{
    internal const int SD_SEND = 1;
    internal const int SD_BOTH = 2;

    /// <summary><c>int shutdown(SOCKET s, int how)</c></summary>
    [LibraryImport(Libraries.Ws2_32, EntryPoint = "shutdown", SetLastError = true)]
    internal static partial int Shutdown(nint socket, int how);
}

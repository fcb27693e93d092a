using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static unsafe partial class Ws2_32
{
    /// <summary><c>int send(SOCKET s, const char *buf, int len, int flags)</c></summary>
    [LibraryImport(Libraries.Ws2_32, EntryPoint = "send", SetLastError = true)]
    internal static partial int Send(nint socket, byte* buffer, int length, int flags);
}

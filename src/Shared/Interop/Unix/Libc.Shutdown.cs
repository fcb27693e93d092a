using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static partial class Libc
{
    internal const int SHUT_WR = 1;
    internal const int SHUT_RDWR = 2;

    /// <summary><c>int shutdown(int sockfd, int how)</c></summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "shutdown", SetLastError = true)]
    internal static partial int Shutdown(int socket, int how);
}

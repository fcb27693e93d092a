using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static partial class Libc
{
    internal const int AF_UNIX = 1;
    internal const int AF_INET = 2;
    internal const int AF_INET6 = 10;
    internal const int SOCK_STREAM = 1;
    internal const int SOCK_CLOEXEC = 0x80000;

    /// <summary><c>int socket(int domain, int type, int protocol)</c></summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);
}

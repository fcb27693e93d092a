using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static unsafe partial class Libc
{
    internal const int SOL_SOCKET = 1;
    internal const int SCM_RIGHTS = 1;
    internal const int MSG_NOSIGNAL = 0x4000;

    /// <summary><c>ssize_t sendmsg(int sockfd, const struct msghdr *msg, int flags)</c></summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "sendmsg", SetLastError = true)]
    internal static partial nint SendMsg(int socket, MessageHeader* message, int flags);
}

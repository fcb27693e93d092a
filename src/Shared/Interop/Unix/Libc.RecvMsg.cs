using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static unsafe partial class Libc
{
    /// <summary>The received fds are close-on-exec from birth, so no later spawn can leak them into a child.</summary>
    internal const int MSG_CMSG_CLOEXEC = 0x40000000;
    /// <summary>Set by the kernel when the control buffer was too small; fds that did not fit are lost.</summary>
    internal const int MSG_CTRUNC = 0x8;
    /// <summary>This call alone does not wait: EAGAIN instead (whatever O_NONBLOCK says).</summary>
    internal const int MSG_DONTWAIT = 0x40;

    /// <summary><c>ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags)</c></summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "recvmsg", SetLastError = true)]
    internal static partial nint RecvMsg(int socket, MessageHeader* message, int flags);
}

using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static unsafe partial class Libc
{
    internal const int SO_PEERCRED = 17;

    /// <summary><c>struct ucred</c>: who is at the other end of a Unix socket, as the kernel saw it at connect.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct UCred
    {
        public int ProcessId;
        public uint UserId;
        public uint GroupId;
    }

    /// <summary><c>int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen)</c></summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "getsockopt", SetLastError = true)]
    internal static partial int GetSockOpt(int socket, int level, int option, void* value, uint* length);
}

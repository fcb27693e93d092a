using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static unsafe partial class Libc
{
    internal const short POLLIN = 0x1;
    internal const short POLLOUT = 0x4;
    internal const short POLLERR = 0x8;
    internal const short POLLHUP = 0x10;
    internal const short POLLNVAL = 0x20;

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    /// <summary><c>int poll(struct pollfd *fds, nfds_t nfds, int timeout)</c></summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
    internal static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);
}

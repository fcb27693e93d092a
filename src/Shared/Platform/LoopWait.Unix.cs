using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Unix;

namespace ChatFork.Platform;

/// <summary>
/// Linux: <c>poll(2)</c> on the two descriptors. A negative descriptor is left out (poll ignores it). A signal
/// (EINTR) returns with nothing ready.
/// </summary>
internal static partial class LoopWait
{
    [UnsupportedOSPlatform("windows")]
    private static unsafe void WaitUnix(int clientFd, short clientEvents, int pipeFd, short pipeEvents, int timeoutMilliseconds,
        out short clientReady, out short pipeReady)
    {
        var fds = stackalloc Libc.PollFd[2];
        fds[0] = new Libc.PollFd { Fd = clientFd, Events = clientEvents };
        fds[1] = new Libc.PollFd { Fd = pipeFd, Events = pipeEvents };
        var ready = Libc.Poll(fds, 2, timeoutMilliseconds);
        if (ready < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                throw new ChatForkException($"poll failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
            }

            clientReady = 0;
            pipeReady = 0;
            return;
        }

        clientReady = clientFd < 0 ? (short)0 : fds[0].ReturnedEvents;
        pipeReady = pipeFd < 0 ? (short)0 : fds[1].ReturnedEvents;
    }
}

using ChatFork.Interop.Unix;

namespace ChatFork.Platform;

/// <summary>
/// The worker loop's one wait, on the client's socket and the pipe, as a C worker would: <c>poll(2)</c> on Linux
/// (<c>LoopWait.Unix.cs</c>), <c>WaitForMultipleObjects</c> on the socket's <c>WSAEventSelect</c> event and the pipe's
/// overlapped events on Windows (<c>LoopWait.Windows.cs</c>). Either way it answers in <c>poll</c>'s terms: what is
/// ready of what was asked (<see cref="In"/>, <see cref="Out"/>), and <see cref="Gone"/> whether asked or not. A null
/// socket or pipe is left out. It returns at once when something asked for is ready, else at the first readiness or
/// when the timeout (milliseconds, -1: none) runs out, with nothing ready; the loop recomputes its deadlines and waits
/// again.
/// </summary>
internal static partial class LoopWait
{
    public const short In = Libc.POLLIN;
    public const short Out = Libc.POLLOUT;
    /// <summary>Reported whether asked for or not: the peer is gone (<c>POLLHUP</c>), an error (<c>POLLERR</c>, <c>POLLNVAL</c>).</summary>
    public const short Gone = Libc.POLLHUP | Libc.POLLERR | Libc.POLLNVAL;

    public static void Wait(LoopSocket? client, short clientEvents, LoopPipe? pipe, short pipeEvents, int timeoutMilliseconds,
        out short clientReady, out short pipeReady)
    {
        if (OperatingSystem.IsWindows())
        {
            WaitWindows(client, clientEvents, pipe, pipeEvents, timeoutMilliseconds, out clientReady, out pipeReady);
        }
        else
        {
            WaitUnix(client?.Fd ?? -1, clientEvents, pipe?.Fd ?? -1, pipeEvents, timeoutMilliseconds, out clientReady, out pipeReady);
        }
    }
}

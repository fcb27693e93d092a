using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Windows;

namespace ChatFork.Platform;

/// <summary>
/// Windows: <c>WaitForMultipleObjects</c> over at most three events: the client socket's (<c>WSAEventSelect</c>), the
/// pipe's read in flight and its write in flight (overlapped I/O), with the loop's deadline as the timeout. After each
/// wake every source is looked at (<c>WSAEnumNetworkEvents</c>, the OVERLAPPEDs' status), since the wait names only
/// the first event that fired; the wait goes on, to the same deadline, while what fired is nothing the caller asked
/// for (a read that completed while the loop does not read its pipe, say: it is kept, and its event is left out until
/// the loop takes it).
/// </summary>
internal static partial class LoopWait
{
    [SupportedOSPlatform("windows")]
    private static unsafe void WaitWindows(LoopSocket? client, short clientEvents, LoopPipe? pipe, short pipeEvents, int timeoutMilliseconds,
        out short clientReady, out short pipeReady)
    {
        var deadline = timeoutMilliseconds < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMilliseconds;
        var handles = stackalloc nint[3];
        while (true)
        {
            client?.CollectWindows();
            clientReady = client?.ReadyWindows(clientEvents) ?? 0;
            pipeReady = pipe?.ReadyWindows(pipeEvents) ?? 0;
            if (clientReady != 0 || pipeReady != 0)
            {
                return;
            }

            uint count = 0;
            if (client is not null)
            {
                handles[count++] = client.EventHandle;
            }

            if (pipe?.ReadEvent is { } read and not 0)
            {
                handles[count++] = read;
            }

            if (pipe?.WriteEvent is { } write and not 0)
            {
                handles[count++] = write;
            }

            var left = deadline == long.MaxValue ? Kernel32.INFINITE : (uint)Math.Max(0, deadline - Environment.TickCount64);
            if (count == 0)
            {
                if (left == Kernel32.INFINITE)
                {
                    throw new ChatForkException("The worker's loop would wait for nothing, forever.");
                }

                Thread.Sleep((int)left);
                return;
            }

            var result = Kernel32.WaitForMultipleObjects(count, handles, waitAll: false, left);
            if (result == Kernel32.WAIT_TIMEOUT)
            {
                return;
            }

            if (result == Kernel32.WAIT_FAILED)
            {
                var error = Marshal.GetLastPInvokeError();
                throw new ChatForkException($"WaitForMultipleObjects failed: {Marshal.GetPInvokeErrorMessage(error)} (error {error}).");
            }
        }
    }
}

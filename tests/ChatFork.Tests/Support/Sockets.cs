using System.Net.Sockets;

namespace ChatFork.Tests.Support;

/// <summary>Raw-socket helpers for tests that must see exact bytes.</summary>
internal static class Sockets
{
    /// <summary>Receives until <paramref name="count"/> bytes or end of stream, within the timeout.</summary>
    public static async Task<byte[]> ReceiveAsync(Socket socket, int count, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[count];
        var total = 0;
        while (total < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancel.Token);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return buffer[..total];
    }
}

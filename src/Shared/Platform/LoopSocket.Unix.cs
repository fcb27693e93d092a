using System.Net;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Unix;
using ChatFork.Sessions;

namespace ChatFork.Platform;

/// <summary>
/// The client's TCP socket in the loop worker, as a raw descriptor: never-blocking <c>recv</c> and <c>send</c>
/// (<c>MSG_DONTWAIT</c>), <c>shutdown</c>, <c>close</c>. Not a <see cref="System.Net.Sockets.Socket"/>: .NET starts its
/// socket engine's thread (epoll) for the first Socket a process makes, and this worker has no thread to spare.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class LoopSocket
{
    /// <summary>What <see cref="Receive"/> and <see cref="Send"/> return when the socket is not ready.</summary>
    public const int WouldBlock = -1;

    /// <summary>What they return when the connection failed; <see cref="LastError"/> says why.</summary>
    public const int Failed = -2;

    private bool _closed;

    public LoopSocket(int fd)
    {
        Fd = fd;
        var one = 1;
        Libc.SetSockOpt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, &one, sizeof(int));
        // A fixed kernel send buffer, as ClientConnection explains: else a client that never reads parks megabytes in
        // the kernel on top of the queue.
        var size = ClientConnection.KernelSendBuffer;
        Libc.SetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_SNDBUF, &size, sizeof(int));
    }

    public int Fd { get; }

    /// <summary>The errno of the last failed call, as a sentence.</summary>
    public string LastError { get; private set; } = "";

    public int Receive(Span<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            return Complete(Libc.Recv(Fd, pointer, (nuint)buffer.Length, Libc.MSG_DONTWAIT));
        }
    }

    public int Send(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* pointer = bytes)
        {
            return Complete(Libc.Send(Fd, pointer, (nuint)bytes.Length, Libc.MSG_DONTWAIT | Libc.MSG_NOSIGNAL));
        }
    }

    /// <summary>Shuts the socket down for sending (<paramref name="both"/>: both ways); errors are ignored: the client may be gone.</summary>
    public void Shutdown(bool both) => Libc.Shutdown(Fd, both ? Libc.SHUT_RDWR : Libc.SHUT_WR);

    public void Close()
    {
        if (!_closed)
        {
            _closed = true;
            Libc.Close(Fd);
        }
    }

    /// <summary>The client's address, as IRC's <c>ERROR :Closing Link</c> names it, or null.</summary>
    public string? PeerAddress()
    {
        var address = stackalloc byte[128];
        var length = 128u;
        if (Libc.GetPeerName(Fd, address, &length) != 0)
        {
            return null;
        }

        var family = *(ushort*)address;
        return family switch
        {
            Libc.AF_INET => new IPAddress(new ReadOnlySpan<byte>(address + 4, 4)).ToString(),
            Libc.AF_INET6 => new IPAddress(new ReadOnlySpan<byte>(address + 8, 16)).ToString(),
            _ => null,
        };
    }

    private int Complete(nint result)
    {
        while (result < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EAGAIN)
            {
                return WouldBlock;
            }

            if (errno != Errno.EINTR)
            {
                LastError = Marshal.GetPInvokeErrorMessage(errno);
                return Failed;
            }

            return WouldBlock; // interrupted: the loop polls and tries again
        }

        return (int)result;
    }
}

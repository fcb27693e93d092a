using System.Net;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Unix;
using ChatFork.Sessions;

namespace ChatFork.Platform;

/// <summary>Linux: the descriptor that came with the hand-off, with <c>MSG_DONTWAIT</c> on every call.</summary>
internal sealed unsafe partial class LoopSocket
{
    [UnsupportedOSPlatform("windows")]
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

    /// <summary>Linux: the descriptor, for <c>poll</c>; -1 on Windows.</summary>
    public int Fd { get; } = -1;

    [UnsupportedOSPlatform("windows")]
    private int ReceiveUnix(Span<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            return CompleteUnix(Libc.Recv(Fd, pointer, (nuint)buffer.Length, Libc.MSG_DONTWAIT));
        }
    }

    [UnsupportedOSPlatform("windows")]
    private int SendUnix(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* pointer = bytes)
        {
            return CompleteUnix(Libc.Send(Fd, pointer, (nuint)bytes.Length, Libc.MSG_DONTWAIT | Libc.MSG_NOSIGNAL));
        }
    }

    [UnsupportedOSPlatform("windows")]
    private void ShutdownUnix(bool both) => Libc.Shutdown(Fd, both ? Libc.SHUT_RDWR : Libc.SHUT_WR);

    [UnsupportedOSPlatform("windows")]
    private void CloseUnix() => Libc.Close(Fd);

    [UnsupportedOSPlatform("windows")]
    private string? PeerAddressUnix()
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

    private int CompleteUnix(nint result)
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

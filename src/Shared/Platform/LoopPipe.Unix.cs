using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using System.Runtime.Versioning;
using ChatFork.Interop.Unix;
using ChatFork.Protocol;

namespace ChatFork.Platform;

/// <summary>
/// Linux: the pipe is a Unix domain socket, read and written on the raw descriptor. Every read is a <c>recvmsg</c>
/// with a control buffer (<see cref="ScmRights.Receive"/>), in the pool and while serving alike: a descriptor rides on
/// the hand-off frame's first bytes, and a plain read would make the kernel throw it away. Connected with plain
/// <c>socket</c>/<c>connect</c>, not a <c>NamedPipeClientStream</c>: any .NET Socket starts the runtime's socket
/// engine thread.
/// </summary>
internal sealed unsafe partial class LoopPipe
{
    private readonly SafeFileHandle? _handle;

    [UnsupportedOSPlatform("windows")]
    private LoopPipe(int fd)
    {
        Fd = fd;
        _handle = new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Linux: the socket's descriptor, for <c>poll</c>.</summary>
    public int Fd { get; } = -1;

    [UnsupportedOSPlatform("windows")]
    private static LoopPipe ConnectUnix(string path)
    {
        var fd = Libc.Socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new ChatForkException($"could not make a socket: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        var pipe = new LoopPipe(fd);
        try
        {
            // struct sockaddr_un: sa_family_t (2 bytes), then the path, NUL-terminated, in 108 bytes.
            var address = stackalloc byte[110];
            new Span<byte>(address, 110).Clear();
            *(ushort*)address = Libc.AF_UNIX;
            // The supervisor names the socket by its full path; a bare name is where .NET's named pipes put one.
            var bytes = Encoding.UTF8.GetBytes(Path.IsPathRooted(path) ? path : Path.Combine(Path.GetTempPath(), "CoreFxPipe_" + path));
            if (bytes.Length > 107)
            {
                throw new ChatForkException($"the pipe's path is longer than a Unix socket allows: {path}");
            }

            bytes.CopyTo(new Span<byte>(address + 2, 107));
            if (Libc.Connect(fd, address, (uint)(2 + bytes.Length + 1)) != 0)
            {
                throw new ChatForkException(Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
            }

            Libc.UCred peer;
            var length = (uint)sizeof(Libc.UCred);
            if (Libc.GetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_PEERCRED, &peer, &length) != 0 || peer.UserId != Libc.GetEffectiveUserId())
            {
                throw new ChatForkException("the process at the other end runs as another user");
            }

            return pipe;
        }
        catch
        {
            pipe.Dispose();
            throw;
        }
    }

    private void DisposeUnix() => _handle?.Dispose();

    [UnsupportedOSPlatform("windows")]
    private int ReceiveUnix(Span<byte> buffer, ReceivedDescriptor received) =>
        ScmRights.Receive(_handle!, buffer, ref received.Fd, wait: false);

    [UnsupportedOSPlatform("windows")]
    private int SendUnix(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* pointer = bytes)
        {
            while (true)
            {
                var sent = Libc.Send(Fd, pointer, (nuint)bytes.Length, Libc.MSG_NOSIGNAL | Libc.MSG_DONTWAIT);
                if (sent >= 0)
                {
                    return (int)sent;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR)
                {
                    continue;
                }

                return errno == Errno.EAGAIN ? -1 : -2;
            }
        }
    }

    [UnsupportedOSPlatform("windows")]
    private static LoopSocket RebuildUnix(ReceivedDescriptor received)
    {
        if (!received.HasValue)
        {
            throw new ProtocolException("The hand-off frame arrived without a socket descriptor.");
        }

        return new LoopSocket(received.Take());
    }
}

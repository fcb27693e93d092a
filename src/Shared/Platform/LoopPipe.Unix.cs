using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using System.Runtime.Versioning;
using ChatFork.Interop.Unix;
using ChatFork.Protocol;

namespace ChatFork.Platform;

/// <summary>
/// The worker's end of its pipe (a Unix domain socket) for the loop: never-blocking reads and writes on the raw
/// descriptor. Every read is a <c>recvmsg</c> with a control buffer (<see cref="ScmRights.Receive"/>), in the pool
/// and while serving alike: a descriptor rides on the hand-off frame's first bytes, and a plain read would make the
/// kernel throw it away. Connected with plain <c>socket</c>/<c>connect</c>, not a <c>NamedPipeClientStream</c>: any
/// .NET Socket starts the runtime's socket engine thread.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class LoopPipe : IDisposable
{
    private readonly SafeFileHandle _handle;

    private LoopPipe(int fd)
    {
        Fd = fd;
        _handle = new SafeFileHandle(fd, ownsHandle: true);
    }

    public int Fd { get; }

    /// <summary>
    /// Connects to the supervisor's socket at <paramref name="path"/> and checks that the process there runs as
    /// this user (what <c>PipeOptions.CurrentUserOnly</c> checks).
    /// </summary>
    /// <exception cref="ChatForkException">With a sentence: no such socket, refused, or another user's.</exception>
    public static LoopPipe Connect(string path)
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

    public void Dispose() => _handle.Dispose();

    /// <summary>Bytes read, 0 at end of stream (the supervisor is gone), -1 if nothing is there now.</summary>
    /// <exception cref="ChatForkException">The read failed (a reset), or a descriptor came that breaks the protocol.</exception>
    public int Receive(Span<byte> buffer, ReceivedDescriptor received) =>
        ScmRights.Receive(_handle, buffer, ref received.Fd, wait: false);

    /// <summary>Bytes written, -1 if the pipe is full now, -2 if it is broken (the supervisor is gone).</summary>
    public int Send(ReadOnlySpan<byte> bytes)
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

    /// <summary>The client's socket from the descriptor that came with the hand-off frame.</summary>
    public static LoopSocket Rebuild(ReceivedDescriptor received)
    {
        if (!received.HasValue)
        {
            throw new ProtocolException("The hand-off frame arrived without a socket descriptor.");
        }

        return new LoopSocket(received.Take());
    }
}

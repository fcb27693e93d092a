using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Unix;
using ChatFork.Protocol;

namespace ChatFork.Platform;

/// <summary>
/// Passing a file descriptor to another process over a Unix domain socket: <c>sendmsg</c> with an
/// <c>SCM_RIGHTS</c> control message, <c>recvmsg</c> with <c>MSG_CMSG_CLOEXEC</c>. The kernel installs a duplicate
/// of the descriptor in the receiver, pointing at the same open socket; the sender then closes its own copy. This is
/// how nginx's master passes sockets to its workers (ngx_channel.c) and how Tmds.DBus passes fds.
/// </summary>
/// <remarks>
/// The fd rides on the first bytes of the data it is sent with. The receiver must read those bytes with
/// <c>recvmsg</c> and a control buffer: a plain <c>read</c> would make the kernel discard (close) the fd. ChatFork
/// therefore reads a worker's pipe with <see cref="Receive"/> until the hand-off frame is whole, and only then
/// switches to ordinary stream reads.
/// </remarks>
[UnsupportedOSPlatform("windows")]
internal static unsafe class ScmRights
{
    // Room for a few fds, so that a peer sending too many is caught and they are closed, not leaked or truncated.
    private const int MaxFdsAccepted = 4;

    private static readonly int s_headerSize = ControlMessageHeader.Align(sizeof(ControlMessageHeader));

    /// <summary>Sends <paramref name="data"/> with <paramref name="descriptor"/> attached, all of it, or throws.</summary>
    public static void Send(SafeHandle socket, SafeHandle descriptor, ReadOnlySpan<byte> data, int timeoutMilliseconds)
    {
        var socketRef = false;
        var descriptorRef = false;
        try
        {
            socket.DangerousAddRef(ref socketRef);
            descriptor.DangerousAddRef(ref descriptorRef);
            var socketFd = (int)socket.DangerousGetHandle();
            var fd = (int)descriptor.DangerousGetHandle();

            var controlSize = ControlMessageHeader.SpaceFor(sizeof(int));
            var control = stackalloc byte[controlSize];
            new Span<byte>(control, controlSize).Clear();
            var header = (ControlMessageHeader*)control;
            header->Length = (nuint)ControlMessageHeader.LengthFor(sizeof(int));
            header->Level = Libc.SOL_SOCKET;
            header->Type = Libc.SCM_RIGHTS;
            *(int*)(control + s_headerSize) = fd;

            fixed (byte* bytes = data)
            {
                var vector = new IOVector { Base = bytes, Count = (nuint)data.Length };
                var message = new MessageHeader
                {
                    IOVectors = &vector,
                    IOVectorCount = 1,
                    Control = control,
                    ControlLength = (nuint)controlSize,
                };

                nint sent;
                while ((sent = Libc.SendMsg(socketFd, &message, Libc.MSG_NOSIGNAL)) < 0)
                {
                    WaitOrThrow(socketFd, Marshal.GetLastPInvokeError(), Libc.POLLOUT, timeoutMilliseconds, "send the socket to the worker");
                }

                // A stream socket may take only part of the data; the fd went with the first part. Send the rest plain.
                var offset = (int)sent;
                while (offset < data.Length)
                {
                    var n = Libc.Send(socketFd, bytes + offset, (nuint)(data.Length - offset), Libc.MSG_NOSIGNAL);
                    if (n < 0)
                    {
                        WaitOrThrow(socketFd, Marshal.GetLastPInvokeError(), Libc.POLLOUT, timeoutMilliseconds, "send the hand-off frame");
                        continue;
                    }

                    offset += (int)n;
                }
            }
        }
        finally
        {
            if (descriptorRef)
            {
                descriptor.DangerousRelease();
            }

            if (socketRef)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Receives bytes into <paramref name="buffer"/>, blocking until some arrive; returns 0 at end of stream. An fd
    /// that arrives is stored in <paramref name="receivedFd"/> (close-on-exec); a second one anywhere is an error.
    /// With <paramref name="wait"/> false it never blocks (<c>MSG_DONTWAIT</c>) and returns -1 when nothing is there:
    /// for a caller that waits in its own <c>poll</c> (the worker's loop).
    /// </summary>
    public static int Receive(SafeHandle socket, Span<byte> buffer, ref int receivedFd, bool wait = true)
    {
        var socketRef = false;
        try
        {
            socket.DangerousAddRef(ref socketRef);
            var socketFd = (int)socket.DangerousGetHandle();

            var controlSize = ControlMessageHeader.SpaceFor(MaxFdsAccepted * sizeof(int));
            var control = stackalloc byte[controlSize];

            fixed (byte* bytes = buffer)
            {
                while (true)
                {
                    new Span<byte>(control, controlSize).Clear();
                    var vector = new IOVector { Base = bytes, Count = (nuint)buffer.Length };
                    var message = new MessageHeader
                    {
                        IOVectors = &vector,
                        IOVectorCount = 1,
                        Control = control,
                        ControlLength = (nuint)controlSize,
                    };

                    var received = Libc.RecvMsg(socketFd, &message, Libc.MSG_CMSG_CLOEXEC | (wait ? 0 : Libc.MSG_DONTWAIT));
                    if (received < 0 && !wait && Marshal.GetLastPInvokeError() == Errno.EAGAIN)
                    {
                        return -1;
                    }

                    if (received < 0)
                    {
                        WaitOrThrow(socketFd, Marshal.GetLastPInvokeError(), Libc.POLLIN, Timeout.Infinite, "receive from the supervisor");
                        continue;
                    }

                    CollectDescriptors(control, (int)message.ControlLength, message.Flags, ref receivedFd);
                    return (int)received;
                }
            }
        }
        finally
        {
            if (socketRef)
            {
                socket.DangerousRelease();
            }
        }
    }

    private static void CollectDescriptors(byte* control, int length, int flags, ref int receivedFd)
    {
        var extra = 0;
        var offset = 0;
        while (offset + sizeof(ControlMessageHeader) <= length)
        {
            var header = (ControlMessageHeader*)(control + offset);
            var messageLength = (int)header->Length;
            if (messageLength < sizeof(ControlMessageHeader) || offset + messageLength > length)
            {
                break;
            }

            if (header->Level == Libc.SOL_SOCKET && header->Type == Libc.SCM_RIGHTS)
            {
                var count = (messageLength - s_headerSize) / sizeof(int);
                var fds = (int*)(control + offset + s_headerSize);
                for (var i = 0; i < count; i++)
                {
                    if (receivedFd < 0)
                    {
                        receivedFd = fds[i];
                    }
                    else
                    {
                        Libc.Close(fds[i]);
                        extra++;
                    }
                }
            }

            offset += ControlMessageHeader.Align(messageLength);
        }

        if ((flags & Libc.MSG_CTRUNC) != 0)
        {
            throw new ProtocolException("The supervisor sent more descriptors than fit in the control buffer (MSG_CTRUNC).");
        }

        if (extra > 0)
        {
            throw new ProtocolException($"The supervisor sent {extra + 1} descriptors; a hand-off carries exactly one.");
        }
    }

    // EINTR: try again. EAGAIN (the socket is non-blocking): wait until it is ready. Anything else: a sentence.
    private static void WaitOrThrow(int fd, int errno, short events, int timeoutMilliseconds, string doing)
    {
        if (errno == Errno.EINTR)
        {
            return;
        }

        if (errno != Errno.EAGAIN)
        {
            throw new ChatForkException($"Could not {doing}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
        }

        var poll = new Libc.PollFd { Fd = fd, Events = events };
        int ready;
        while ((ready = Libc.Poll(&poll, 1, timeoutMilliseconds)) < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR)
        {
        }

        if (ready == 0)
        {
            throw new ChatForkException($"Could not {doing}: the pipe was not ready within {timeoutMilliseconds} ms.");
        }
    }
}

using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Unix;
using ChatFork.Protocol;

namespace ChatFork.Platform;

/// <summary>
/// The worker's end of its pipe (a Unix domain socket) for the loop: never-blocking reads and writes on the raw
/// descriptor. Every read is a <c>recvmsg</c> with a control buffer (<see cref="ScmRights.Receive"/>), in the pool
/// and while serving alike: a descriptor rides on the hand-off frame's first bytes, and a plain read would make the
/// kernel throw it away. The stream object stays alive only to own the descriptor.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class LoopPipe
{
    private readonly PipeStream _stream;

    public LoopPipe(PipeStream stream)
    {
        _stream = stream;
        Fd = (int)stream.SafePipeHandle.DangerousGetHandle();
    }

    public int Fd { get; }

    /// <summary>Bytes read, 0 at end of stream (the supervisor is gone), -1 if nothing is there now.</summary>
    /// <exception cref="ChatForkException">The read failed (a reset), or a descriptor came that breaks the protocol.</exception>
    public int Receive(Span<byte> buffer, ReceivedDescriptor received) =>
        ScmRights.Receive(_stream.SafePipeHandle, buffer, ref received.Fd, wait: false);

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
    public static Socket Rebuild(ReceivedDescriptor received)
    {
        if (!received.HasValue)
        {
            throw new ProtocolException("The hand-off frame arrived without a socket descriptor.");
        }

        return new Socket(new SafeSocketHandle(received.Take(), ownsHandle: true));
    }
}

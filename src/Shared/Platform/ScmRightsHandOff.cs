using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.Versioning;
using ChatFork.Protocol;

namespace ChatFork.Platform;

/// <summary>
/// The Unix hand-off (Linux only so far): the socket's descriptor rides on the hand-off frame's bytes as an
/// <c>SCM_RIGHTS</c> control message over the worker's named pipe, which .NET implements as a Unix domain socket
/// (see <see cref="ScmRights"/>). Other Unix systems lay out <c>struct msghdr</c> differently; this says so rather
/// than guess.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class ScmRightsHandOff : SocketHandOff
{
    private const int SendTimeoutMilliseconds = 5000;

    public override string Name => "unix (SCM_RIGHTS)";

    public override void Send(PipeStream pipe, Socket client, int workerProcessId, HandoffMessage message)
    {
        try
        {
            EnsureLinux("pass a socket with SCM_RIGHTS");
            var frame = new FrameBuffer(256);
            message.WriteTo(frame);
            ScmRights.Send(pipe.SafePipeHandle, client.SafeHandle, frame.WrittenSpan, SendTimeoutMilliseconds);
        }
        finally
        {
            // The worker holds its own descriptor now (or the send failed and the client is lost either way);
            // the supervisor's copy must go, or the client would not see EOF when the worker closes.
            client.Dispose();
        }
    }

    protected override int ReadBeforeHandOff(PipeStream pipe, Span<byte> buffer, ReceivedDescriptor received)
    {
        EnsureLinux("receive a socket with SCM_RIGHTS");
        return ScmRights.Receive(pipe.SafePipeHandle, buffer, ref received.Fd);
    }

    protected override Socket Rebuild(HandoffMessage message, ReceivedDescriptor received)
    {
        if (!received.HasValue)
        {
            throw new ProtocolException("The hand-off frame arrived without a socket descriptor.");
        }

        return new Socket(new SafeSocketHandle(received.Take(), ownsHandle: true));
    }

    private static void EnsureLinux(string doing)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(
                $"ChatFork can {doing} only on Linux so far: other Unix systems lay out struct msghdr differently.");
        }
    }
}

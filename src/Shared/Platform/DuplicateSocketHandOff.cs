using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.Versioning;
using ChatFork.Protocol;

namespace ChatFork.Platform;

/// <summary>
/// The Windows hand-off, as PostgreSQL's postmaster does it (launch_backend.c, <c>WSADuplicateSocket</c>):
/// <c>Socket.DuplicateAndClose(workerPid)</c> produces a <c>WSAPROTOCOL_INFOW</c> for the worker's pid and closes
/// the supervisor's socket; the bytes go to the worker as an ordinary frame and <c>new Socket(SocketInformation)</c>
/// rebuilds the socket there.
/// </summary>
/// <remarks>
/// The supervisor must not have started any asynchronous operation on the socket before (that would bind it to the
/// supervisor's I/O completion port), which is why the accept loop accepts synchronously and never touches a client
/// socket after accepting it, but for the one synchronous welcome line.
/// </remarks>
[SupportedOSPlatform("windows")]
internal sealed class DuplicateSocketHandOff : SocketHandOff
{
    public override string Name => "windows (WSADuplicateSocket)";

    public override void Send(PipeStream pipe, Socket client, int workerProcessId, HandoffMessage message)
    {
        try
        {
            var information = client.DuplicateAndClose(workerProcessId);
            var frame = new FrameBuffer(1024);
            (message with
            {
                SocketOptions = (int)information.Options,
                DuplicatedSocket = information.ProtocolInformation,
            }).WriteTo(frame);
            pipe.Write(frame.WrittenSpan);
            pipe.Flush();
        }
        finally
        {
            client.Dispose();
        }
    }

    protected override int ReadBeforeHandOff(PipeStream pipe, Span<byte> buffer, ReceivedDescriptor received) =>
        pipe.Read(buffer);

    protected override Socket Rebuild(HandoffMessage message, ReceivedDescriptor received)
    {
        if (message.DuplicatedSocket is null)
        {
            throw new ProtocolException("The hand-off frame carries no duplicated socket information.");
        }

        return new Socket(new SocketInformation
        {
            ProtocolInformation = message.DuplicatedSocket,
            Options = (SocketInformationOptions)message.SocketOptions,
        });
    }
}

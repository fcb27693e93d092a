using System.IO.Pipes;
using System.Net.Sockets;
using ChatFork.Protocol;

namespace ChatFork.Platform;

/// <summary>
/// What both platforms' hand-offs share: the worker's loop that reads the pipe until the hand-off frame is whole.
/// A platform supplies only how bytes are read before that frame (on Unix with <c>recvmsg</c>, so that the
/// descriptor riding on them is kept) and how the socket is rebuilt from the frame.
/// </summary>
internal abstract class SocketHandOff : ISocketHandOff
{
    public abstract string Name { get; }

    public abstract void Send(PipeStream pipe, Socket client, int workerProcessId, HandoffMessage message);

    public Socket? Receive(PipeStream pipe, FrameDecoder decoder, out HandoffMessage? message, RingAttachHandler? ringAttach = null)
    {
        using var received = new ReceivedDescriptor();
        while (true)
        {
            if (decoder.TryReadFrame(out var frame))
            {
                if (frame.Type == FrameType.Shutdown)
                {
                    message = null;
                    return null;
                }

                if (frame.Type == FrameType.RingAttach && ringAttach is not null)
                {
                    // --fanout shm: the room's ring comes while the worker waits in the pool, its memfd (Linux) on
                    // these very bytes, so it is mapped before any client arrives.
                    ringAttach(frame, received);
                    continue;
                }

                if (frame.Type != FrameType.Handoff)
                {
                    throw new ProtocolException($"The supervisor sent {frame.Type} before handing over a connection.");
                }

                message = HandoffMessage.Read(frame);
                return Rebuild(message, received);
            }

            var count = ReadBeforeHandOff(pipe, decoder.GetReadBuffer().Span, received);
            if (count == 0)
            {
                throw new ChatForkException("The supervisor closed the pipe before handing over a connection.");
            }

            decoder.Advance(count);
        }
    }

    /// <summary>Reads pipe bytes that may carry the socket (Unix: as a descriptor put in <paramref name="received"/>).</summary>
    protected abstract int ReadBeforeHandOff(PipeStream pipe, Span<byte> buffer, ReceivedDescriptor received);

    /// <summary>Builds the worker's socket from the hand-off frame (and the descriptor that came with it, if any).</summary>
    protected abstract Socket Rebuild(HandoffMessage message, ReceivedDescriptor received);
}

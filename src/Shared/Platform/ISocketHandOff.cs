using System.IO.Pipes;
using System.Net.Sockets;
using ChatFork.Protocol;

namespace ChatFork.Platform;

/// <summary>
/// Half of the platform seam: moving one connected socket from the supervisor into a worker, over the worker's pipe.
/// <c>SCM_RIGHTS</c> on Unix (<see cref="ScmRightsHandOff"/>); <c>WSADuplicateSocket</c>, through
/// <c>Socket.DuplicateAndClose</c>, on Windows (<see cref="DuplicateSocketHandOff"/>). The other half is
/// <see cref="IProcessLifetime"/>.
/// </summary>
internal interface ISocketHandOff
{
    /// <summary>A short name for logs: "unix (SCM_RIGHTS)" or "windows (WSADuplicateSocket)".</summary>
    string Name { get; }

    /// <summary>
    /// Supervisor side: sends <paramref name="message"/> to the worker at the other end of <paramref name="pipe"/>
    /// together with <paramref name="client"/> itself, then closes the supervisor's copy of the socket, whatever
    /// happens. Nothing else may write to the pipe meanwhile.
    /// </summary>
    void Send(PipeStream pipe, Socket client, int workerProcessId, HandoffMessage message);

    /// <summary>
    /// Worker side: reads the pipe until the <see cref="FrameType.Handoff"/> frame and returns the socket that came
    /// with it, owned by this process alone. Bytes after that frame stay in <paramref name="decoder"/>. Returns null
    /// if the supervisor sent <see cref="FrameType.Shutdown"/> instead (an idle worker told to go). A
    /// <see cref="FrameType.RingAttach"/> before the hand-off goes to <paramref name="ringAttach"/>.
    /// </summary>
    Socket? Receive(PipeStream pipe, FrameDecoder decoder, out HandoffMessage? message, RingAttachHandler? ringAttach = null);
}

/// <summary>
/// Takes the <see cref="FrameType.RingAttach"/> frame that may come before the hand-off, and on Unix the ring's
/// descriptor that came with it (the handler must <see cref="ReceivedDescriptor.Take"/> it).
/// </summary>
internal delegate void RingAttachHandler(Frame frame, ReceivedDescriptor received);

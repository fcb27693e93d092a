namespace ChatFork.Protocol;

/// <summary>
/// The type byte of a frame on a worker's pipe. Values below 64 travel from a worker to the supervisor, values from
/// 64 up from the supervisor to a worker, so a frame that arrives in the wrong direction is caught by its number.
/// </summary>
internal enum FrameType : byte
{
    // worker -> supervisor
    /// <summary>First frame of a worker: its pid and the secret it was given on standard input.</summary>
    Hello = 1,
    /// <summary>The worker has taken the handed-off socket and serves the client now.</summary>
    Ready = 2,
    /// <summary>A chat line from the client, to be relayed to the others.</summary>
    Say = 3,
    /// <summary>An action (<c>/me waves</c>).</summary>
    Act = 4,
    /// <summary>The client asks for a nick.</summary>
    Nick = 5,
    /// <summary>A private message to one nick.</summary>
    Whisper = 6,
    /// <summary>The client asks who is connected.</summary>
    Who = 7,
    /// <summary>The client asks for the process table.</summary>
    Ps = 8,
    /// <summary>The worker is about to exit, and says why.</summary>
    Leaving = 9,
    /// <summary>A log event of the worker's, written by the supervisor's logger under the worker's name.</summary>
    Log = 10,
    /// <summary>IRC mode: the client gave NICK and USER; register it (<see cref="IrcRegisterMessage"/>).</summary>
    IrcRegister = 11,
    /// <summary>IRC mode: one parsed command for the server's shared state (<see cref="IrcCommandMessage"/>).</summary>
    IrcCommand = 12,
    /// <summary>
    /// A <c>--reusable</c> worker's session ended cleanly (the client closed or typed <c>/quit</c>), after its
    /// <see cref="Leaving"/>: it has wiped the session's state and waits for a <see cref="Handoff"/> or a
    /// <see cref="Shutdown"/> again, as a fresh pooled worker does. Empty. Until that Handoff it may still read Line
    /// frames sent to its previous client; it drops them.
    /// </summary>
    Recycled = 13,

    // supervisor -> worker
    /// <summary>A client connection for this worker. On Unix the socket's fd rides along as SCM_RIGHTS.</summary>
    Handoff = 64,
    /// <summary>One line to write to the client, with its sequence number in the room.</summary>
    Line = 65,
    /// <summary>The server is going down: write this last line, close the client, exit.</summary>
    Shutdown = 66,
    /// <summary>IRC mode: the client is registered, or renamed; the payload is its nick now.</summary>
    IrcNick = 67,
    /// <summary>IRC mode: close the client with this reason (<c>ERROR :Closing Link</c>) after the lines before it.</summary>
    IrcClose = 68,
    /// <summary>--fanout shm: the room's ring, or this worker's cursor page, in shared memory (<see cref="RingAttachMessage"/>); on Linux the memfd rides along as SCM_RIGHTS.</summary>
    RingAttach = 69,
    /// <summary>--fanout shm: the ring has new lines for a worker whose cursor page says it sleeps. Empty.</summary>
    Doorbell = 70,
    /// <summary>--fanout shm: this worker's member id and the ring position it starts reading at (<see cref="RingFrames"/>).</summary>
    RingJoin = 71,
    /// <summary>--fanout shm: a line for this member alone, with the ring position to reach before it (<see cref="RingFrames"/>).</summary>
    RingLine = 72,
}

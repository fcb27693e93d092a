namespace ChatFork.Supervisor.Room;

/// <summary>
/// One client as the chat room sees it. In the process model it is a worker at the end of a pipe; the room neither
/// knows nor cares, it only queues lines and asks for them to be sent.
/// </summary>
internal interface IRoomMember
{
    /// <summary>The connection's number (guest-N).</summary>
    long Id { get; }

    /// <summary>Who serves this client, for the greeting: "worker process 4242", "thread 4251 of process 4200".</summary>
    string ServedBy { get; }

    /// <summary>The same, short, for notices and /who: "worker 4242", "thread 4251", "connection 12".</summary>
    string ServedByShort { get; }

    /// <summary>The client's address and port.</summary>
    string PeerEndPoint { get; }

    /// <summary>Queues one line (without its terminator). False if the member's queue is full.</summary>
    bool Deliver(long sequence, ReadOnlySpan<byte> utf8Line);

    /// <summary>Starts sending what was queued; never blocks.</summary>
    void Flush();

    /// <summary>The room cannot keep up with this member: cut it off. Its leave arrives later, as for any other.</summary>
    void Drop(string reason);
}

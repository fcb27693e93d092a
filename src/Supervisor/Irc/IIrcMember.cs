namespace ChatFork.Supervisor.Irc;

/// <summary>
/// One connection as the IRC server sees it: in the process model a worker at the end of a pipe
/// (<see cref="IrcWorkerMember"/>); in the unit tests a list of lines. Every call only queues; nothing blocks.
/// </summary>
internal interface IIrcMember
{
    /// <summary>The connection's number.</summary>
    long Id { get; }

    /// <summary>The pid of the worker process that serves this client (WHOIS, 002, 003 show it).</summary>
    int WorkerProcessId { get; }

    /// <summary>The client's address, the host part of its <c>nick!user@host</c>.</summary>
    string Host { get; }

    /// <summary>Queues one complete IRC line (without CR-LF). False if the member's queue is full.</summary>
    bool Deliver(long sequence, ReadOnlySpan<byte> utf8Line);

    /// <summary>Tells the worker its client's nick now (registration, NICK). False if the queue is full.</summary>
    bool SendNick(string nick);

    /// <summary>Tells the worker to close its client with <c>ERROR</c> and this reason, after what was queued.</summary>
    bool SendClose(string reason);

    /// <summary>Starts sending what was queued; never blocks.</summary>
    void Flush();

    /// <summary>The server cannot keep up with this member: cut it off. Its leave arrives later, as any other.</summary>
    void Drop(string reason);
}

using ChatFork.Supervisor.Room;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// One client of one worker, as the room sees it: its connection's number and address, fixed for the session's
/// life, and the worker's outbox to write to. A fresh worker has one session; with <c>--worker-reuse</c> each client
/// it serves in turn is a new one, so nothing the room still holds for an earlier client (a /ps answer on its way, a
/// leave) can be mistaken for the next client's.
/// </summary>
internal sealed class WorkerSession : IRoomMember
{
    private readonly WorkerSlot _slot;
    private readonly PendingConnection? _connection;

    /// <param name="connection">Null for the placeholder a worker has before its first client.</param>
    public WorkerSession(WorkerSlot slot, PendingConnection? connection)
    {
        _slot = slot;
        _connection = connection;
    }

    public long Id => _connection?.Id ?? 0;

    /// <summary>The worker's outbox (and, with --fanout shm, its cursor on the room's ring), the same for every session.</summary>
    public WorkerOutbox Outbox => _slot.Outbox;

    public string ServedBy => $"worker process {_slot.ProcessId} (supervisor {Environment.ProcessId})";

    public string ServedByShort => $"worker {_slot.ProcessId}";

    public string PeerEndPoint => _connection?.PeerText ?? "-";

    public bool Deliver(long sequence, ReadOnlySpan<byte> utf8Line) => _slot.Outbox.Deliver(sequence, utf8Line);

    public void Flush() => _slot.Outbox.Flush();

    /// <summary>Cuts the worker off, but only while it still serves this client: a reused worker's next client is not this one's.</summary>
    public void Drop(string reason)
    {
        if (ReferenceEquals(_slot.Member, this))
        {
            _slot.Outbox.Drop(reason);
        }
    }
}

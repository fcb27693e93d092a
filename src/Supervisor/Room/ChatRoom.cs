namespace ChatFork.Supervisor.Room;

/// <summary>
/// The chat room as the process model (and the lab's async model) runs it: a bounded channel of events and a single
/// loop that hands them, one at a time, to the <see cref="RoomState"/>. Only the loop touches the state, so it needs
/// no lock; whoever posts never waits for the room's work, only (when the channel is full) for room in the channel.
/// </summary>
/// <remarks>
/// After each batch of events the loop flushes the members it wrote to, so a burst of lines reaches each worker in
/// one pipe write. Work done off the loop (the /ps table) comes back through the channel.
/// </remarks>
internal sealed class ChatRoom
{
    private readonly EventLoop<RoomEvent> _loop;
    private readonly RoomState _state;

    public ChatRoom(IProcessTable processTable, int capacity = 1024)
    {
        // Bounded: a flood of chat lines slows the workers' pipe readers (and so the flooding clients) down to the
        // rate the room relays, instead of growing the supervisor's memory.
        _loop = new EventLoop<RoomEvent>(capacity);
        _state = new RoomState(processTable, _loop.PostReliably);
    }

    /// <summary>Set with --cluster: the room then shares its lines, nicks and presence through Redis (docs/cluster.md).</summary>
    public Cluster.IRoomCluster? Cluster
    {
        get => _state.Cluster;
        set => _state.Cluster = value;
    }

    /// <summary>--announce-limit: see <see cref="RoomState.AnnounceLimit"/>.</summary>
    public int AnnounceLimit
    {
        get => _state.AnnounceLimit;
        set => _state.AnnounceLimit = value;
    }

    /// <summary>Set with <c>--fanout shm</c>: the room writes its broadcasts into this shared ring (<see cref="IRoomRing"/>).</summary>
    public IRoomRing? Ring
    {
        get => _state.Ring;
        set => _state.Ring = value;
    }

    public bool TryPost(RoomEvent e) => _loop.TryPost(e);

    public ValueTask PostAsync(RoomEvent e, CancellationToken cancellationToken = default) => _loop.PostAsync(e, cancellationToken);

    /// <summary>Posts an event that must not be lost (a leave), waiting for room in the channel if need be.</summary>
    public void PostReliably(RoomEvent e) => _loop.PostReliably(e);

    public void Complete() => _loop.Complete();

    public Task RunAsync() => _loop.RunAsync(_state.Handle, _state.FlushDirty);
}

using System.Threading.Channels;

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
    private readonly Channel<RoomEvent> _events;
    private readonly RoomState _state;

    public ChatRoom(IProcessTable processTable, int capacity = 1024)
    {
        // Bounded: a flood of chat lines slows the workers' pipe readers (and so the flooding clients) down to the
        // rate the room relays, instead of growing the supervisor's memory.
        _events = Channel.CreateBounded<RoomEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _state = new RoomState(processTable, PostReliably);
    }

    /// <summary>Set with --cluster: the room then shares its lines, nicks and presence through Redis (docs/cluster.md).</summary>
    public Cluster.IRoomCluster? Cluster
    {
        get => _state.Cluster;
        set => _state.Cluster = value;
    }

    public bool TryPost(RoomEvent e) => _events.Writer.TryWrite(e);

    public ValueTask PostAsync(RoomEvent e, CancellationToken cancellationToken = default) =>
        _events.Writer.WriteAsync(e, cancellationToken);

    /// <summary>Posts an event that must not be lost (a leave), waiting for room in the channel if need be.</summary>
    public void PostReliably(RoomEvent e)
    {
        if (!_events.Writer.TryWrite(e))
        {
            _ = _events.Writer.WriteAsync(e).AsTask();
        }
    }

    public void Complete() => _events.Writer.TryComplete();

    public async Task RunAsync()
    {
        var reader = _events.Reader;
        while (await reader.WaitToReadAsync())
        {
            // Take a batch, then flush: one pipe write per member per batch, however many lines it holds.
            for (var i = 0; i < 4096 && reader.TryRead(out var e); i++)
            {
                _state.Handle(e);
            }

            _state.FlushDirty();
        }
    }
}

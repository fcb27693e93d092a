using System.Threading.Channels;

namespace ChatFork.Supervisor.Room;

/// <summary>
/// One consumer's bounded queue of events and the single loop that drains it: the shape of the chat room and of IRC
/// mode's server. Only the loop touches the consumer's state, so that state needs no lock; posters wait only when the
/// channel is full (which slows the pipe readers, and so the clients, to the rate the loop keeps up with).
/// </summary>
internal sealed class EventLoop<T>
{
    private const int BatchSize = 4096;

    private readonly Channel<T> _events;

    public EventLoop(int capacity)
    {
        _events = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public bool TryPost(T e) => _events.Writer.TryWrite(e);

    public ValueTask PostAsync(T e, CancellationToken cancellationToken = default) =>
        _events.Writer.WriteAsync(e, cancellationToken);

    /// <summary>Posts an event that must not be lost (a leave), waiting for room in the channel if need be.</summary>
    public void PostReliably(T e)
    {
        if (!_events.Writer.TryWrite(e))
        {
            _ = _events.Writer.WriteAsync(e).AsTask();
        }
    }

    public void Complete() => _events.Writer.TryComplete();

    /// <summary>
    /// Hands each event to <paramref name="handle"/>, in batches; after each batch calls <paramref name="afterBatch"/>
    /// (the flush: one pipe write per member per batch, however many lines it holds). Ends when completed.
    /// </summary>
    public async Task RunAsync(Action<T> handle, Action afterBatch)
    {
        var reader = _events.Reader;
        while (await reader.WaitToReadAsync())
        {
            for (var i = 0; i < BatchSize && reader.TryRead(out var e); i++)
            {
                handle(e);
            }

            afterBatch();
        }
    }
}

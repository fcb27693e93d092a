using System.Threading.Channels;
using ChatFork.Protocol;
using ChatFork.Supervisor.Logging;
using ChatFork.Supervisor.Room;
using NLog;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// <c>--worker-reuse</c>: takes back a worker whose client left cleanly (it said Leaving, then Recycled), the step
/// Apache's prefork children do themselves between connections. In order:
/// <list type="number">
/// <item>the room lets the client go (its leave, as any other), and at that fence drops what it had queued for it;</item>
/// <item>whatever was already on its way to the worker is written out (the worker throws it away);</item>
/// <item>the registry releases the connection (and its address's count) and decides: the worker takes the oldest
///   waiting connection at once, goes back to the pool, or retires (its last use, a full pool, shutdown) and is sent
///   Shutdown, after which the reaper sees it exit as any other.</item>
/// </list>
/// One log line per recycle says which. A worker that does not finish its part (the room's lines never drain) is
/// killed, not reused.
/// </summary>
/// <remarks>
/// The fence is what keeps one client's lines from reaching the next: the room posts nothing more for a client once
/// it has handled its leave, and the outbox is FIFO, so everything for the old client is in the pipe before the new
/// hand-off frame. The pipe reader does not read the worker's pipe meanwhile; it resumes after this returns.
/// </remarks>
internal sealed class WorkerRecycle
{
    private static readonly Logger s_log = LogManager.GetLogger("recycle");

    private readonly ServerSettings _settings;
    private readonly WorkerRegistry _registry;
    private readonly ChatRoom? _room;
    private readonly HandOff _handOff;
    private readonly Action _spawnMore;

    /// <param name="spawnMore">Asks the launcher to look again: a retired worker may leave the pool short.</param>
    public WorkerRecycle(ServerSettings settings, WorkerRegistry registry, ChatRoom? room, HandOff handOff, Action spawnMore)
    {
        _settings = settings;
        _registry = registry;
        _room = room;
        _handOff = handOff;
        _spawnMore = spawnMore;
    }

    /// <summary>The line a retiring worker is sent with its Shutdown; it has no client to write it to.</summary>
    public const string RetiredLine = "* worker retired";

    /// <summary>Called by the worker's pipe reader once <see cref="WorkerLifecycle.SaidRecycled"/> was true.</summary>
    public async Task RunAsync(WorkerSlot slot)
    {
        var life = slot.Life;
        var served = life.Connection!;
        var leaving = life.Leaving!.Value;
        var timeout = _settings.SlowConsumerTimeout;
        try
        {
            if (_room is not null && life.Joined)
            {
                var fenced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await _room.PostAsync(new RoomEvent(RoomEventKind.Left, slot.Member,
                    Text: $"{WorkerExit.LeaveWords(leaving)}; worker {slot.ProcessId} recycled",
                    Handled: () =>
                    {
                        slot.Outbox.DiscardRoomLines();
                        fenced.TrySetResult();
                    }));
                await fenced.Task.WaitAsync(timeout);
            }

            await slot.Outbox.WhenDrainedAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            s_log.Event(LogLevel.Warn, LogEvents.WorkerRecycled,
                $"worker {slot.ProcessId} said Recycled, but what was queued for its last client did not go out within {timeout.TotalSeconds:0} s (--slow-consumer-timeout); killing it rather than reusing it");
            slot.Kill("it did not take its last client's lines after Recycled");
            return;
        }
        catch (ChannelClosedException)
        {
            return; // the room has stopped: the server is going down, and shutdown sees to the worker
        }

        if (slot.Outbox.IsClosed)
        {
            return; // its pipe broke meanwhile: it is exiting, and the reaper tells
        }

        var use = life.Uses; // the client just gone was this use; a waiting connection, taken below, is the next
        var result = _registry.Recycled(slot);
        var what = $"worker {slot.ProcessId} recycled after connection {served.Id} ({served.PeerText}, {LeaveReasons.Describe(leaving.Reason)}), use {use} of {_settings.WorkerReuse}";
        switch (result.Outcome)
        {
            case RecycleOutcome.Pooled:
                s_log.Event(LogLevel.Info, LogEvents.WorkerRecycled, $"{what}: back in the pool ({_registry.IdleCount} idle)");
                break;
            case RecycleOutcome.Reassigned:
                s_log.Event(LogLevel.Info, LogEvents.WorkerRecycled, $"{what}: given waiting connection {result.Next!.Id} at once");
                _handOff.Give(slot, result.Next);
                break;
            case RecycleOutcome.Retired:
                s_log.Event(LogLevel.Info, LogEvents.WorkerRecycled, $"{what}: retiring, {result.Why}");
                slot.Outbox.SendShutdown(RetiredLine);
                break;
            default:
                return; // it exited or is being killed meanwhile: the reaper accounts for it
        }

        _spawnMore();
    }
}

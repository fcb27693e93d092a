using ChatFork.Supervisor.Room;

namespace ChatFork.Supervisor.Lab;

/// <summary>
/// The thread model's room: the same <see cref="RoomState"/> as everywhere, with no loop of its own. Each connection
/// thread takes the one lock and runs the room's code itself, the classic shared-state design. Every touch of the
/// room's dictionaries is under that lock: remove it and two threads renaming at once can corrupt the nick table
/// (the race the course warns about).
/// </summary>
internal sealed class LockedRoom
{
    private readonly Lock _lock = new();
    private readonly RoomState _state;

    public LockedRoom(IProcessTable processTable)
    {
        // The /ps table comes back on a thread-pool thread, which takes the lock like a connection thread does.
        _state = new RoomState(processTable, e => Handle([e]));
    }

    /// <summary>Handles the events in order, then flushes the members they wrote to; all under the lock.</summary>
    public void Handle(IReadOnlyList<RoomEvent> events)
    {
        lock (_lock)
        {
            foreach (var e in events)
            {
                _state.Handle(e);
            }

            _state.FlushDirty();
        }
    }
}

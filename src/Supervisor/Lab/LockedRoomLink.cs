using ChatFork.Supervisor.Room;

namespace ChatFork.Supervisor.Lab;

/// <summary>
/// The thread model's way into the room: the connection's own thread takes the room's lock and runs the room's code
/// itself. Every connection thread shares the room's dictionaries, so every touch of them is under that one lock —
/// remove the lock and two threads renaming at once can corrupt the nick table (the race the course warns about).
/// </summary>
internal sealed class LockedRoomLink : RoomLink
{
    private readonly ChatRoom _room;
    private readonly Lock _roomLock;

    public LockedRoomLink(ChatRoom room, Lock roomLock, IRoomMember member) : base(member)
    {
        _room = room;
        _roomLock = roomLock;
    }

    public override bool Flush()
    {
        if (Pending.Count == 0)
        {
            return true;
        }

        lock (_roomLock)
        {
            foreach (var e in Pending)
            {
                _room.Process(e);
            }

            _room.FlushDirty();
        }

        Pending.Clear();
        return true;
    }
}

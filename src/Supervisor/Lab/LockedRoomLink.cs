using ChatFork.Supervisor.Room;

namespace ChatFork.Supervisor.Lab;

/// <summary>
/// The thread model's way into the room: the connection's own thread hands what it gathered to the
/// <see cref="LockedRoom"/>, which runs the room's code on that thread, under the room's lock.
/// </summary>
internal sealed class LockedRoomLink : RoomLink
{
    private readonly LockedRoom _room;

    public LockedRoomLink(LockedRoom room, IRoomMember member) : base(member)
    {
        _room = room;
    }

    public override bool Flush()
    {
        if (Pending.Count == 0)
        {
            return true;
        }

        _room.Handle(Pending);
        Pending.Clear();
        return true;
    }
}

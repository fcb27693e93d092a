using ChatFork.Supervisor.Room;

namespace ChatFork.Supervisor.Lab;

/// <summary>
/// The async model's way into the room: events go to the room's single loop through its channel, as the worker
/// pipes' events do in the process model. The line handler is synchronous, so events are gathered and the session
/// awaits <see cref="PostAsync"/> after each read (which is where a full room slows a flooding client down).
/// </summary>
internal sealed class ChannelRoomLink : RoomLink
{
    private readonly ChatRoom _room;

    public ChannelRoomLink(ChatRoom room, IRoomMember member) : base(member)
    {
        _room = room;
    }

    public override bool Flush() => true;

    public async ValueTask PostAsync()
    {
        foreach (var e in Pending)
        {
            if (!_room.TryPost(e))
            {
                await _room.PostAsync(e);
            }
        }

        Pending.Clear();
    }
}

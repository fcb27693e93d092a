using ChatFork.Sessions;
using ChatFork.Supervisor.Room;

namespace ChatFork.Supervisor.Models;

/// <summary>
/// The async model's way into the room: events go to the room's single loop through its channel, as the worker
/// pipes' events do in the process model. The line handler is synchronous, so events are gathered and the session
/// awaits <see cref="PostAsync"/> after each read (which is where a full room slows a flooding client down).
/// </summary>
internal sealed class ChannelRoomLink : IChatLink
{
    private readonly ChatRoom _room;
    private readonly IRoomMember _member;
    private readonly List<RoomEvent> _pending = [];

    public ChannelRoomLink(ChatRoom room, IRoomMember member)
    {
        _room = room;
        _member = member;
    }

    public void Say(string text) => _pending.Add(RoomEvent.ChatLine(RoomEventKind.Said, _member, text));

    public void Act(string text) => _pending.Add(RoomEvent.ChatLine(RoomEventKind.Acted, _member, text));

    public void Nick(string nick) => _pending.Add(new RoomEvent(RoomEventKind.NickRequested, _member, Text: nick));

    public void Whisper(string target, string text) => _pending.Add(new RoomEvent(RoomEventKind.Whispered, _member, Text: text, Target: target));

    public void Who() => _pending.Add(new RoomEvent(RoomEventKind.WhoRequested, _member));

    public void Ps() => _pending.Add(new RoomEvent(RoomEventKind.PsRequested, _member));

    public IRoomMember Member => _member;

    public bool Flush() => true;

    public void Add(RoomEvent e) => _pending.Add(e);

    public async ValueTask PostAsync()
    {
        foreach (var e in _pending)
        {
            if (!_room.TryPost(e))
            {
                await _room.PostAsync(e);
            }
        }

        _pending.Clear();
    }
}

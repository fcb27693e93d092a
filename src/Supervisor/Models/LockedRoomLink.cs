using ChatFork.Sessions;
using ChatFork.Supervisor.Room;

namespace ChatFork.Supervisor.Models;

/// <summary>
/// The thread model's way into the room: the connection's own thread takes the room's lock and runs the room's code
/// itself. Every connection thread shares the room's dictionaries, so every touch of them is under that one lock —
/// remove the lock and two threads renaming at once can corrupt the nick table (the race the course warns about).
/// </summary>
internal sealed class LockedRoomLink : IChatLink
{
    private readonly ChatRoom _room;
    private readonly Lock _roomLock;
    private readonly IRoomMember _member;
    private readonly List<RoomEvent> _pending = [];

    public LockedRoomLink(ChatRoom room, Lock roomLock, IRoomMember member)
    {
        _room = room;
        _roomLock = roomLock;
        _member = member;
    }

    public void Say(string text) => _pending.Add(RoomEvent.ChatLine(RoomEventKind.Said, _member, text));

    public void Act(string text) => _pending.Add(RoomEvent.ChatLine(RoomEventKind.Acted, _member, text));

    public void Nick(string nick) => _pending.Add(new RoomEvent(RoomEventKind.NickRequested, _member, Text: nick));

    public void Whisper(string target, string text) => _pending.Add(new RoomEvent(RoomEventKind.Whispered, _member, Text: text, Target: target));

    public void Who() => _pending.Add(new RoomEvent(RoomEventKind.WhoRequested, _member));

    public void Ps() => _pending.Add(new RoomEvent(RoomEventKind.PsRequested, _member));

    public bool Flush()
    {
        if (_pending.Count > 0)
        {
            Apply(_pending);
            _pending.Clear();
        }

        return true;
    }

    public void Join() => Apply([new RoomEvent(RoomEventKind.Joined, _member)]);

    public void Leave(string how) => Apply([new RoomEvent(RoomEventKind.Left, _member, Text: how)]);

    private void Apply(List<RoomEvent> events)
    {
        lock (_roomLock)
        {
            foreach (var e in events)
            {
                _room.Process(e);
            }

            _room.FlushDirty();
        }
    }
}

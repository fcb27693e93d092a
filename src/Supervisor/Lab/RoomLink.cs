using System.Text;
using ChatFork.Sessions;
using ChatFork.Supervisor.Room;

namespace ChatFork.Supervisor.Lab;

/// <summary>
/// An in-process session's way into the room: what the client asked for becomes room events, gathered during one
/// read; the thread model and the async model differ only in how those events reach the room.
/// </summary>
internal abstract class RoomLink : IChatLink
{
    protected RoomLink(IRoomMember member)
    {
        Member = member;
    }

    public IRoomMember Member { get; }

    protected List<RoomEvent> Pending { get; } = [];

    public void Say(ReadOnlySpan<byte> utf8) => Pending.Add(RoomEvent.ChatLine(RoomEventKind.Said, Member, utf8));

    public void Act(ReadOnlySpan<byte> utf8) => Pending.Add(RoomEvent.ChatLine(RoomEventKind.Acted, Member, utf8));

    public void Nick(string nick) => Pending.Add(new RoomEvent(RoomEventKind.NickRequested, Member, Text: nick));

    public void Whisper(string target, ReadOnlySpan<byte> utf8) =>
        Pending.Add(new RoomEvent(RoomEventKind.Whispered, Member, Text: Encoding.UTF8.GetString(utf8), Target: target));

    public void Who() => Pending.Add(new RoomEvent(RoomEventKind.WhoRequested, Member));

    public void Ps() => Pending.Add(new RoomEvent(RoomEventKind.PsRequested, Member));

    public void Join() => Pending.Add(new RoomEvent(RoomEventKind.Joined, Member));

    public void Leave(string how) => Pending.Add(new RoomEvent(RoomEventKind.Left, Member, Text: how));

    public abstract bool Flush();
}

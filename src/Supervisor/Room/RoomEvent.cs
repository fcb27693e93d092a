using System.Text;

namespace ChatFork.Supervisor.Room;

/// <summary>
/// One thing for the room to do. A chat line's text travels in a <see cref="RentedLine"/> that this event owns: it is
/// rented when the event is made and returned by <see cref="Release"/>, which whoever consumes the event calls (the
/// room once it has relayed the line, or a pipe reader that could not post it), so relaying allocates nothing per
/// message. <see cref="Handled"/>, if set, runs on the room's loop right after the event was handled: a fence, after
/// which the room has done all it will with what came before (--worker-reuse waits on it for a leave).
/// </summary>
internal readonly record struct RoomEvent(
    RoomEventKind Kind,
    IRoomMember Member,
    RentedLine? Line = null,
    string? Text = null,
    string? Target = null,
    IReadOnlyList<string>? Lines = null,
    Cluster.ClusterEvent? Cluster = null,
    Action? Handled = null)
{
    /// <summary>A chat line (Said or Acted) whose UTF-8 text, already clean, is copied into a rented buffer.</summary>
    public static RoomEvent ChatLine(RoomEventKind kind, IRoomMember member, ReadOnlySpan<byte> utf8, ILineBudget? budget = null) =>
        new(kind, member, RentedLine.Copy(utf8, budget));

    /// <summary>As <see cref="ChatLine(RoomEventKind, IRoomMember, ReadOnlySpan{byte})"/>, from text.</summary>
    public static RoomEvent ChatLine(RoomEventKind kind, IRoomMember member, string text) =>
        ChatLine(kind, member, Encoding.UTF8.GetBytes(text));

    /// <summary>Gives the rented text back to the pool; call once, when the event has been handled or dropped.</summary>
    public void Release() => Line?.Return();
}

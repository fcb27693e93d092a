using System.Buffers;
using System.Text;

namespace ChatFork.Supervisor.Room;

/// <summary>
/// One thing for the room to do. <see cref="Data"/> is rented from the shared ArrayPool by whoever posts a chat line
/// and returned by the room once it has copied the line out, so relaying allocates nothing per message.
/// </summary>
internal readonly record struct RoomEvent(
    RoomEventKind Kind,
    IRoomMember Member,
    byte[]? Data = null,
    int Length = 0,
    string? Text = null,
    string? Target = null,
    IReadOnlyList<string>? Lines = null)
{
    /// <summary>A chat line (Said or Acted) whose text, already clean, is copied into a rented buffer.</summary>
    public static RoomEvent ChatLine(RoomEventKind kind, IRoomMember member, string text)
    {
        var data = ArrayPool<byte>.Shared.Rent(Math.Max(Encoding.UTF8.GetMaxByteCount(text.Length), 1));
        var length = Encoding.UTF8.GetBytes(text, data);
        return new RoomEvent(kind, member, data, length);
    }
}

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
    IReadOnlyList<string>? Lines = null);

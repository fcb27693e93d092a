namespace ChatFork.Supervisor.Cluster;

/// <summary>
/// One thing from the cluster for the room, carried in <see cref="Room.RoomEvent.Cluster"/>. For a stream entry:
/// <see cref="Line"/> is the rendered line, and <see cref="Node"/>/<see cref="MemberId"/> say whose it is, so that
/// the sender's own host can leave the sender out, as a single supervisor does.
/// </summary>
internal sealed record ClusterEvent(
    ClusterEventKind Kind,
    string? Text = null,
    byte[]? Line = null,
    ClusterAudience Audience = ClusterAudience.All,
    string? Node = null,
    long MemberId = 0,
    string? Target = null,
    IReadOnlyList<string>? Nicks = null);

using ChatFork.Supervisor.Room;

namespace ChatFork.Supervisor.Cluster;

/// <summary>
/// What the room asks of the cluster (the room's one hook into it; RoomState.Cluster.cs). Every call returns at once:
/// the work goes into one ordered outbox toward Redis, and each answer comes back into the room's loop as a
/// <see cref="RoomEventKind.FromCluster"/> event, as do the stream's entries. The room never waits on Redis.
/// </summary>
internal interface IRoomCluster
{
    /// <summary>This supervisor's name in the cluster (--node).</summary>
    string Node { get; }

    /// <summary>False while Redis is out of reach (a member who joins then is told why it waits).</summary>
    bool Reachable { get; }

    /// <summary>--cluster-hold, for the sentence a sender reads when its line could not be held.</summary>
    int Hold { get; }

    /// <summary>A line for every member on every host, or every one but its sender. False when the hold is full.</summary>
    bool Publish(IRoomMember sender, ClusterAudience audience, ReadOnlySpan<byte> utf8Line);

    /// <summary>Claims the first free nick among <paramref name="baseNick"/>, baseNick-2, ... and announces the join.</summary>
    void ClaimGuest(IRoomMember member, string baseNick);

    /// <summary>Claims <paramref name="nick"/> for the member if no one in the cluster holds it, and announces it.</summary>
    void Rename(IRoomMember member, string oldNick, string nick);

    /// <summary>A private line to a nick that is not on this host.</summary>
    void Whisper(IRoomMember from, string fromNick, string to, string text);

    /// <summary>Releases the member's nick and announces its leave.</summary>
    void Leave(IRoomMember member, string how);

    /// <summary>Claims again, after Redis forgot this host (or others thought it lost), the nicks it serves.</summary>
    void Reclaim(IReadOnlyList<(IRoomMember Member, string Nick)> members);

    /// <summary>The /who lines for the whole cluster.</summary>
    Task<IReadOnlyList<string>> WhoAsync(IRoomMember asker);

    /// <summary>The /ps lines that list the members other hosts serve.</summary>
    Task<IReadOnlyList<string>> OtherHostsAsync();
}

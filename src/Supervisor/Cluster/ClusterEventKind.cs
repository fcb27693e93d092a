namespace ChatFork.Supervisor.Cluster;

/// <summary>What came back from the cluster into the room's loop.</summary>
internal enum ClusterEventKind
{
    /// <summary>An entry of the room's stream, in the stream's order.</summary>
    Line,

    /// <summary>A <c>* </c> line for every member of this host (Redis lost or back, a gap in the stream).</summary>
    Notice,

    /// <summary>A join's guest nick was claimed; <see cref="ClusterEvent.Nicks"/> holds who else is here.</summary>
    Claimed,

    /// <summary>A /nick was granted.</summary>
    Renamed,

    /// <summary>A /nick was refused: someone in the cluster holds it.</summary>
    NickTaken,

    /// <summary>A private line went out (Text: its text), or its nick is nowhere (Text null).</summary>
    Whispered,

    /// <summary>Redis does not know this host's members (it restarted empty, or others took this host for lost).</summary>
    Forgotten,

    /// <summary>A reclaim found the member's nick taken by another host; Text: the guest nick it has now.</summary>
    Displaced,
}

namespace ChatFork.Supervisor.Room;

/// <summary>What happened, for the room to act on.</summary>
internal enum RoomEventKind
{
    Joined,
    Said,
    Acted,
    NickRequested,
    Whispered,
    WhoRequested,
    PsRequested,
    /// <summary>Lines computed elsewhere (the process table) for one member.</summary>
    Deliver,
    Left,
    /// <summary>From the cluster (--cluster): a stream entry, a notice, an answer from Redis.</summary>
    FromCluster,
}

namespace ChatFork.Bench.Compare;

/// <summary>How an issue target compares ChatFork's figure with its limit.</summary>
internal enum GoalKind
{
    /// <summary>ChatFork's figure at least Limit times the peer's (throughput).</summary>
    AtLeastPeerTimes,

    /// <summary>ChatFork's figure at most Limit times the peer's (latency).</summary>
    AtMostPeerTimes,

    /// <summary>At most Limit.</summary>
    AtMost,

    /// <summary>Strictly below Limit.</summary>
    Below,

    /// <summary>Exactly zero (nothing lost).</summary>
    Zero,
}

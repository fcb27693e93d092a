namespace ChatFork.Supervisor.Cluster;

/// <summary>Who on every host reads a stream entry.</summary>
internal enum ClusterAudience
{
    /// <summary>Every member but the one who caused it (a chat line, a join, a leave).</summary>
    Others,

    /// <summary>Every member (a nick change, a lost server).</summary>
    All,

    /// <summary>One nick (a private line).</summary>
    One,
}

using StackExchange.Redis;

namespace ChatFork.Supervisor.Cluster;

/// <summary>The Redis keys of the room, and the order in which the scripts (ClusterScripts) take them.</summary>
internal sealed class ClusterKeys
{
    public ClusterKeys(string node)
    {
        Stream = ClusterSettings.KeyPrefix + "stream";
        Nicks = ClusterSettings.KeyPrefix + "nicks";
        Writers = ClusterSettings.KeyPrefix + "writers";
        Nodes = ClusterSettings.KeyPrefix + "nodes";
        Appended = RedisChannel.Literal(ClusterSettings.KeyPrefix + "appended");
        Own = Heartbeat(node);
    }

    /// <summary>The room's events, in the one order every host delivers them (XADD ... MAXLEN).</summary>
    public RedisKey Stream { get; }

    /// <summary>Hash: lower-case nick to its owner's record (MemberRecord): the cluster-wide nick claims.</summary>
    public RedisKey Nicks { get; }

    /// <summary>Hash: node to "incarnation last-sequence", so a write retried after a lost reply is not added twice.</summary>
    public RedisKey Writers { get; }

    /// <summary>Set: the nodes that have beaten and not been found lost.</summary>
    public RedisKey Nodes { get; }

    /// <summary>Pub/sub channel: "the stream grew", so readers need not poll fast.</summary>
    public RedisChannel Appended { get; }

    /// <summary>This node's heartbeat key.</summary>
    public RedisKey Own { get; }

    public static RedisKey Heartbeat(string node) => ClusterSettings.KeyPrefix + "heartbeat:" + node;

    /// <summary>KEYS for every script: stream, nicks, writers, nodes, and a node's heartbeat.</summary>
    public RedisKey[] For(RedisKey heartbeat) => [Stream, Nicks, Writers, Nodes, heartbeat];
}

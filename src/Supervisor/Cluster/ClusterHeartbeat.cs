using ChatFork.Supervisor.Room;
using NLog;
using StackExchange.Redis;

namespace ChatFork.Supervisor.Cluster;

/// <summary>
/// This host's heartbeat (a key with a TTL of --cluster-heartbeat-ttl, renewed three times per TTL), and the watch
/// over the others: a node in the nodes set whose heartbeat has expired is lost, and its members are announced gone.
/// Every host runs the same check; the Reap script makes it happen once, on whichever host gets there first.
/// </summary>
internal sealed class ClusterHeartbeat
{
    private static readonly Logger s_log = LogManager.GetLogger("cluster");

    private readonly RedisCluster _cluster;
    private readonly ChatRoom _room;
    private readonly TimeSpan _ttl;
    private readonly TaskCompletionSource _firstBeat = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _beatingSince;

    public ClusterHeartbeat(RedisCluster cluster, ChatRoom room, TimeSpan ttl)
    {
        _cluster = cluster;
        _room = room;
        _ttl = ttl;
    }

    /// <summary>Done once this host has beaten once and cleared what an earlier run of the same node left.</summary>
    public Task FirstBeat => _firstBeat.Task;

    public async Task RunAsync(CancellationToken stopping)
    {
        var interval = _ttl / 3;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await BeatAsync();
            }
            catch (Exception e) when (RedisCluster.IsTransient(e))
            {
                _cluster.ReportFailure("beating", e);
                _beatingSince = 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                s_log.Error(e, "the heartbeat failed");
            }

            try
            {
                await Task.Delay(interval, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>At shutdown: stop beating and release whatever this host still holds.</summary>
    public async Task LeaveAsync()
    {
        var db = _cluster.Database;
        await db.KeyDeleteAsync(_cluster.Keys.Own);
        await ReapAsync(db, _cluster.Settings.Node, "", $"server {_cluster.Settings.Node} shut down");
    }

    private async Task BeatAsync()
    {
        var db = _cluster.Database;
        var args = _cluster.Args((long)_ttl.TotalMilliseconds);
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(ClusterScripts.Heartbeat, _cluster.Keys.For(_cluster.Keys.Own), args))!;
        _cluster.ReportSuccess();
        var alive = (int)reply[0] == 1;
        if (!_firstBeat.Task.IsCompleted)
        {
            // A node of this name that was killed and started again within its TTL left its members' nicks behind.
            var stale = await ReapAsync(db, _cluster.Settings.Node, _cluster.Incarnation, $"server {_cluster.Settings.Node} restarted");
            if (stale > 0)
            {
                s_log.Info($"announced {stale} members of this node's earlier run as gone");
            }

            s_log.Info($"joined the cluster at {_cluster.Settings.Url} as node {_cluster.Settings.Node} (incarnation {_cluster.Incarnation})");
            _firstBeat.TrySetResult();
        }
        else if (!alive)
        {
            // Our heartbeat expired (Redis was out of reach for longer than the TTL, so others may have announced our
            // members gone) or Redis restarted without its data: claim this host's members again.
            s_log.Warn("Redis had lost this node's heartbeat (unreachable past the TTL, or restarted empty); claiming this node's members again");
            _room.PostReliably(new RoomEvent(RoomEventKind.FromCluster, ClusterOrigin.Instance, Cluster: new ClusterEvent(ClusterEventKind.Forgotten)));
        }

        // Judge the others only after beating for a whole TTL without a break: when Redis itself was away (or was
        // restarted) every node's heartbeat may have expired meanwhile, and each live one needs a chance to beat again
        // before anyone is taken for lost.
        var now = Environment.TickCount64;
        if (_beatingSince == 0)
        {
            _beatingSince = now;
        }

        if (now - _beatingSince < (long)_ttl.TotalMilliseconds)
        {
            return;
        }

        for (var i = 1; i < reply.Length; i++)
        {
            var node = (string?)reply[i];
            if (node is null || node == _cluster.Settings.Node)
            {
                continue;
            }

            var gone = await ReapAsync(db, node, "", $"server {node} lost");
            if (gone >= 0)
            {
                s_log.Warn($"node {node} missed its heartbeat: announced its {gone} members as gone");
            }
        }
    }

    // Returns how many members were announced, or -1 when the node was not (yet) lost.
    private async Task<long> ReapAsync(IDatabase db, string node, string keep, string reason)
    {
        var args = _cluster.Args(node, keep, reason);
        var result = await db.ScriptEvaluateAsync(ClusterScripts.Reap, _cluster.Keys.For(ClusterKeys.Heartbeat(node)), args);
        return (long)result;
    }
}

using System.Globalization;
using ChatFork.Supervisor.Room;
using NLog;
using StackExchange.Redis;

namespace ChatFork.Supervisor.Cluster;

/// <summary>
/// Reads the room's stream from the last id this host has seen, and hands each entry to the room in the stream's
/// order. StackExchange.Redis multiplexes every caller over one connection, so it does not offer a blocking XREAD
/// (it would stall everyone else's commands). Instead: every append also PUBLISHes on a channel; a message there
/// wakes this loop, which then XREADs (non-blocking) from the last id until nothing is left. Pub/sub is
/// at-most-once (a message sent while the subscription is being re-made is lost), so the loop also wakes on its own
/// every <see cref="Poll"/>: the notification makes it fast, the stream makes it complete.
/// </summary>
/// <remarks>
/// Gaps. Every entry names the one before it (<c>p</c>, written atomically by the script that appended it). When an
/// entry's <c>p</c> is not the last id this host saw, what came in between is gone: trimmed by MAXLEN while this host
/// was behind, or lost by a Redis that restarted without its data. The room's members are told, once per gap, rather
/// than shown a stream that silently skips. A Redis that came back with less than this host had seen (its top entry
/// is older than the last id) is a gap too; reading then goes on from its top.
/// </remarks>
internal sealed class ClusterStreamReader : IDisposable
{
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);
    private const int Batch = 512;
    private static readonly Logger s_log = LogManager.GetLogger("cluster");

    private readonly RedisCluster _cluster;
    private readonly ChatRoom _room;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly TaskCompletionSource _positioned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RedisValue _last = RedisValue.Null;
    private bool _subscribed;
    private bool _checkTop;

    public ClusterStreamReader(RedisCluster cluster, ChatRoom room)
    {
        _cluster = cluster;
        _room = room;
    }

    /// <summary>Done once the reader knows the stream's top, the point from which this host reads.</summary>
    public Task Positioned => _positioned.Task;

    /// <summary>The last id seen (for logs and tests).</summary>
    public string Last => _last.IsNull ? "-" : _last.ToString();

    /// <summary>Redis came back: check that it still holds what this host saw.</summary>
    public void CheckAfterReconnect()
    {
        _checkTop = true;
        Wake();
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await ReadAllAsync();
            }
            catch (Exception e) when (RedisCluster.IsTransient(e))
            {
                _cluster.ReportFailure("reading", e);
                _checkTop = true;
                await Task.Delay(RedisCluster.RetryDelay, stopping);
                continue;
            }
            catch (System.Threading.Channels.ChannelClosedException)
            {
                return; // the room has closed (shutdown): nobody is left to deliver to
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                s_log.Error(e, "reading the room's stream failed; trying again");
                await Task.Delay(RedisCluster.RetryDelay, stopping);
                continue;
            }

            try
            {
                await _wake.WaitAsync(Poll, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReadAllAsync()
    {
        var db = _cluster.Database;
        if (!_subscribed)
        {
            await _cluster.Subscriber.SubscribeAsync(_cluster.Keys.Appended, (_, _) => Wake());
            _subscribed = true;
        }

        if (_last.IsNull)
        {
            _last = await TopAsync(db);
            s_log.Info($"reading the room's stream {_cluster.Keys.Stream} from {_last}");
            _positioned.TrySetResult();
        }
        else if (_checkTop)
        {
            var top = await TopAsync(db);
            if (StreamIdComparer.Compare(top, _last) < 0)
            {
                await GapAsync($"Redis came back holding less than this server had read (its last entry is {top}, this server had read up to {_last})");
                _last = top;
            }
        }

        _checkTop = false;
        while (true)
        {
            var entries = await db.StreamReadAsync(_cluster.Keys.Stream, _last, Batch);
            if (entries.Length == 0)
            {
                return;
            }

            foreach (var entry in entries)
            {
                var previous = entry["p"];
                if ((string?)previous != _last.ToString())
                {
                    await GapAsync($"the entry after {_last} follows {previous}, which this server never read");
                }

                _last = entry.Id;
                await _room.PostAsync(ToEvent(entry));
            }
        }
    }

    public void Dispose() => _wake.Dispose();

    private static RoomEvent ToEvent(StreamEntry entry)
    {
        var kind = (string?)entry["k"];
        var audience = kind switch { "a" => ClusterAudience.All, "w" => ClusterAudience.One, _ => ClusterAudience.Others };
        var member = long.TryParse((string?)entry["m"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var m) ? m : -1;
        var c = new ClusterEvent(ClusterEventKind.Line, Line: (byte[]?)entry["l"] ?? [], Audience: audience,
            Node: (string?)entry["n"], MemberId: member, Target: (string?)entry["t"]);
        return new RoomEvent(RoomEventKind.FromCluster, ClusterOrigin.Instance, Cluster: c);
    }

    private async Task GapAsync(string why)
    {
        s_log.Warn($"gap in the room's stream: {why}; telling this server's members");
        var since = StreamIdComparer.Time(_last) is { } t ? $" since {t.ToLocalTime():HH:mm:ss}" : "";
        await _room.PostAsync(new RoomEvent(RoomEventKind.FromCluster, ClusterOrigin.Instance, Cluster: new ClusterEvent(
            ClusterEventKind.Notice,
            $"* lines may be missing here{since}: the room's stream in Redis no longer holds them (trimmed past --cluster-stream-max, or Redis lost its data); what follows is complete")));
    }

    private async Task<RedisValue> TopAsync(IDatabase db)
    {
        var top = await db.StreamRangeAsync(_cluster.Keys.Stream, "-", "+", 1, Order.Descending);
        return top.Length > 0 ? top[0].Id : (RedisValue)"0-0";
    }

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
        }
    }
}

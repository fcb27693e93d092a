using System.Globalization;
using ChatFork.Supervisor.Room;
using NLog;
using StackExchange.Redis;

namespace ChatFork.Supervisor.Cluster;

/// <summary>
/// --cluster: this supervisor's link to the room that every supervisor on one Redis shares (docs/cluster.md). It
/// owns the connection and three loops: the outbox (every write, in order, held while Redis is away), the stream
/// reader (every host's lines, in the stream's order, back into the room) and the heartbeat (this host alive, the
/// others watched). Members of this host are told in one <c>* </c> line when Redis goes out of reach and when it
/// is back.
/// </summary>
internal sealed class RedisCluster : IRoomCluster, IAsyncDisposable
{
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);
    private static readonly Logger s_log = LogManager.GetLogger("cluster");

    private readonly ChatRoom _room;
    private readonly ClusterOutbox _outbox;
    private readonly ClusterStreamReader _reader;
    private readonly ClusterHeartbeat _heartbeat;
    private readonly CancellationTokenSource _stopping = new();
    private ConnectionMultiplexer? _redis;
    private Task _loops = Task.CompletedTask;
    private int _reachable = 1;

    public RedisCluster(ClusterSettings settings, ChatRoom room)
    {
        Settings = settings;
        _room = room;
        Keys = new ClusterKeys(settings.Node);
        // Tells this run's claims from those an earlier run of the same node left behind (kill -9, then restart).
        Incarnation = $"{Environment.ProcessId}.{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}";
        BaseArgs = [settings.StreamMax, Keys.Appended.ToString(), settings.Node, Incarnation];
        _outbox = new ClusterOutbox(this, settings.Hold, settings.StreamMax);
        _reader = new ClusterStreamReader(this, room);
        _heartbeat = new ClusterHeartbeat(this, room, settings.HeartbeatTtl);
    }

    public ClusterSettings Settings { get; }

    public ClusterKeys Keys { get; }

    public string Incarnation { get; }

    /// <summary>ARGV 1 to 4 of every script: MAXLEN, the notification channel, this node, this incarnation.</summary>
    public RedisValue[] BaseArgs { get; }

    public string Node => Settings.Node;

    public int Hold => Settings.Hold;

    public bool Reachable => Volatile.Read(ref _reachable) == 1;

    public IDatabase Database => _redis!.GetDatabase();

    public ISubscriber Subscriber => _redis!.GetSubscriber();

    /// <summary>
    /// Connects and starts the loops. Waits (a few seconds at most) until this host has beaten once and knows where the
    /// stream stands, so that the first clients meet a working cluster; if Redis is not there, starts anyway: the
    /// members are told, and everything waits for it.
    /// </summary>
    public async Task StartAsync()
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { { Settings.RedisHost, Settings.RedisPort } },
            // Keep trying in the background; the loops here do their own retrying, in order.
            AbortOnConnectFail = false,
            // Fail a command at once while disconnected instead of queueing it inside the multiplexer: the outbox
            // holds and retries in order itself, and a command queued there could overtake the one being retried.
            BacklogPolicy = BacklogPolicy.FailFast,
            ConnectTimeout = 2000,
            SyncTimeout = 3000,
            AsyncTimeout = 3000,
            KeepAlive = 1,
            ReconnectRetryPolicy = new LinearRetry(250),
            ClientName = $"chatfork-{Settings.Node}",
        };
        _redis = await ConnectionMultiplexer.ConnectAsync(options);
        _redis.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                ReportFailure("connection", e.Exception ?? new IOException(e.FailureType.ToString()));
            }
        };
        _redis.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                s_log.Info($"connection to Redis at {Settings.Url} restored");
                _reader.CheckAfterReconnect();
            }
        };

        var stopping = _stopping.Token;
        _loops = Task.WhenAll(
            Task.Run(() => _reader.RunAsync(stopping), stopping),
            Task.Run(() => _heartbeat.RunAsync(stopping), stopping),
            Task.Run(() => _outbox.RunAsync(_reader.Positioned, stopping), stopping));

        var ready = Task.WhenAll(_reader.Positioned, _heartbeat.FirstBeat);
        if (await Task.WhenAny(ready, Task.Delay(TimeSpan.FromSeconds(5))) != ready)
        {
            s_log.Warn($"Redis at {Settings.Url} cannot be reached; serving anyway: lines wait here until it can");
        }
    }

    /// <summary>At shutdown, after the room has handled every leave: sends what is held (briefly), stops beating.</summary>
    public async ValueTask DisposeAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (_outbox.Pending > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        if (_outbox.Pending > 0)
        {
            s_log.Warn($"shutting down with {_outbox.Pending} writes Redis never took (it is unreachable); they are lost");
        }

        await _stopping.CancelAsync();
        try
        {
            await _loops.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
        }

        try
        {
            if (_redis is { IsConnected: true })
            {
                await _heartbeat.LeaveAsync().WaitAsync(TimeSpan.FromSeconds(2));
            }
        }
        catch (Exception e) when (IsTransient(e) || e is TimeoutException)
        {
            s_log.Warn($"could not take this node out of the cluster: {e.Message}; the others will find it lost");
        }

        if (_redis is not null)
        {
            await _redis.CloseAsync();
            _redis.Dispose();
        }

        _stopping.Dispose();
        _outbox.Dispose();
        _reader.Dispose();
    }

    public bool Publish(IRoomMember sender, ClusterAudience audience, ReadOnlySpan<byte> utf8Line) =>
        _outbox.TryAddLine(audience, sender.Id, utf8Line.ToArray());

    public void ClaimGuest(IRoomMember member, string baseNick)
    {
        var served = MemberRecord.Field(member.ServedByShort);
        var peer = MemberRecord.Field(member.PeerEndPoint);
        var joined = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _outbox.AddCall(async (db, _) =>
        {
            var reply = (RedisResult[])(await db.ScriptEvaluateAsync(ClusterScripts.ClaimGuest, Keys.For(Keys.Own),
                Args(member.Id, baseNick, served, peer, joined)))!;
            var nicks = reply.Select(r => (string)r!).ToList();
            Answer(member, new ClusterEvent(ClusterEventKind.Claimed, Text: nicks[0], Nicks: nicks.Skip(1).ToList()));
        });
    }

    public void Rename(IRoomMember member, string oldNick, string nick)
    {
        var served = MemberRecord.Field(member.ServedByShort);
        var peer = MemberRecord.Field(member.PeerEndPoint);
        var joined = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _outbox.AddCall(async (db, _) =>
        {
            var granted = (long)await db.ScriptEvaluateAsync(ClusterScripts.Rename, Keys.For(Keys.Own),
                Args(member.Id, oldNick, nick, served, peer, joined)) == 1;
            Answer(member, new ClusterEvent(granted ? ClusterEventKind.Renamed : ClusterEventKind.NickTaken, Text: nick));
        });
    }

    public void Whisper(IRoomMember from, string fromNick, string to, string text) =>
        _outbox.AddCall(async (db, sequence) =>
        {
            var sent = (long)await db.ScriptEvaluateAsync(ClusterScripts.Whisper, Keys.For(Keys.Own),
                Args(sequence, from.Id, fromNick, to, text)) == 1;
            Answer(from, new ClusterEvent(ClusterEventKind.Whispered, Text: sent ? text : null, Target: to));
        });

    public void Leave(IRoomMember member, string how) =>
        _outbox.AddCall(async (db, _) =>
            await db.ScriptEvaluateAsync(ClusterScripts.Leave, Keys.For(Keys.Own), Args(member.Id, how)));

    public void Reclaim(IReadOnlyList<(IRoomMember Member, string Nick)> members)
    {
        if (members.Count == 0)
        {
            return;
        }

        var joined = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var values = members.SelectMany(m => new object[]
        {
            m.Member.Id, m.Nick, MemberRecord.Field(m.Member.ServedByShort), MemberRecord.Field(m.Member.PeerEndPoint), joined,
        }).ToArray();
        _outbox.AddCall(async (db, _) =>
        {
            var reply = (RedisResult[])(await db.ScriptEvaluateAsync(ClusterScripts.Reclaim, Keys.For(Keys.Own), Args(values)))!;
            for (var i = 0; i < members.Count && i < reply.Length; i++)
            {
                var now = (string)reply[i]!;
                if (!string.Equals(now, members[i].Nick, StringComparison.Ordinal))
                {
                    Answer(members[i].Member, new ClusterEvent(ClusterEventKind.Displaced, Text: now));
                }
            }

            s_log.Info($"claimed again the nicks of this node's {members.Count} members");
        });
    }

    public async Task<IReadOnlyList<string>> WhoAsync(IRoomMember asker)
    {
        var records = await RecordsAsync();
        var lines = new List<string> { $"* {records.Count} here, on {records.Select(r => r.Node).Distinct().Count()} servers:" };
        if (records.Count == 0)
        {
            return lines;
        }

        var nickWidth = records.Max(r => r.Nick.Length);
        var servedWidth = records.Max(r => r.ServedBy.Length + 4 + r.Node.Length);
        foreach (var r in records)
        {
            var you = r.Node == Node && r.Incarnation == Incarnation && r.MemberId == asker.Id ? "  (you)" : "";
            var served = $"{r.ServedBy} on {r.Node}";
            lines.Add($"*   {r.Nick.PadRight(nickWidth)}  {served.PadRight(servedWidth)}  since {r.JoinedAt:HH:mm:ss}  from {r.Peer}{you}");
        }

        return lines;
    }

    public async Task<IReadOnlyList<string>> OtherHostsAsync()
    {
        var others = (await RecordsAsync()).Where(r => r.Node != Node).ToList();
        var nodes = others.Select(r => r.Node).Distinct().Count();
        var lines = new List<string> { $"* members on other servers (from Redis): {others.Count}, on {nodes} servers" };
        if (others.Count == 0)
        {
            return lines;
        }

        var rows = others.Select(r => new[] { r.Node, r.ServedBy, r.Nick, $"since {r.JoinedAt:HH:mm:ss}", r.Peer }).ToList();
        rows.Insert(0, ["SERVER", "WORKER", "NICK", "JOINED", "CLIENT"]);
        var widths = Enumerable.Range(0, 5).Select(c => rows.Max(r => r[c].Length)).ToArray();
        lines.AddRange(rows.Select(r => ("* " + string.Join("  ", r.Select((cell, c) => cell.PadRight(widths[c])))).TrimEnd()));
        return lines;
    }

    /// <summary>ARGV for a script: <see cref="BaseArgs"/>, then these.</summary>
    public RedisValue[] Args(params object[] more)
    {
        var args = new RedisValue[BaseArgs.Length + more.Length];
        BaseArgs.CopyTo(args, 0);
        for (var i = 0; i < more.Length; i++)
        {
            args[BaseArgs.Length + i] = more[i] switch
            {
                long l => l,
                int n => n,
                string s => s,
                var o => Convert.ToString(o, CultureInfo.InvariantCulture),
            };
        }

        return args;
    }

    /// <summary>Redis out of reach: tell this host's members once, until it is back.</summary>
    public void ReportFailure(string doing, Exception e)
    {
        if (Interlocked.Exchange(ref _reachable, 0) == 1)
        {
            s_log.Warn($"Redis at {Settings.Url} cannot be reached ({doing}: {e.Message}); holding this server's lines (up to {Settings.Hold}) until it can");
            Notice($"* this server has lost its link to the cluster's Redis: lines said here wait (up to {Settings.Hold}) and go out in order when it is back");
        }
    }

    public void ReportSuccess()
    {
        if (Interlocked.Exchange(ref _reachable, 1) == 0)
        {
            s_log.Info($"Redis at {Settings.Url} is reachable again; sending the {_outbox.Pending} held writes");
            Notice("* the cluster's Redis is back: held lines are going out now");
            _reader.CheckAfterReconnect();
        }
    }

    /// <summary>A <c>* </c> line for every member of this host, at once (not through the stream).</summary>
    public void Notice(string text) =>
        _room.PostReliably(new RoomEvent(RoomEventKind.FromCluster, ClusterOrigin.Instance, Cluster: new ClusterEvent(ClusterEventKind.Notice, Text: text)));

    public static bool IsTransient(Exception e) => e switch
    {
        RedisConnectionException or RedisTimeoutException or TimeoutException => true,
        // A Redis that is starting again answers LOADING until its data is back in memory.
        RedisServerException s => s.Message.StartsWith("LOADING", StringComparison.Ordinal) ||
                                  s.Message.StartsWith("BUSY", StringComparison.Ordinal) ||
                                  s.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal) ||
                                  s.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal),
        _ => false,
    };

    private async Task<List<MemberRecord>> RecordsAsync()
    {
        var all = await Database.HashValuesAsync(Keys.Nicks);
        return all.Select(v => MemberRecord.Parse(v)).OfType<MemberRecord>()
            .OrderBy(r => r.Node, StringComparer.Ordinal).ThenBy(r => r.JoinedAt).ThenBy(r => r.MemberId).ToList();
    }

    private void Answer(IRoomMember member, ClusterEvent e) =>
        _room.PostReliably(new RoomEvent(RoomEventKind.FromCluster, member, Cluster: e));
}

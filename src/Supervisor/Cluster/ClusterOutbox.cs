using System.Collections.Concurrent;
using System.Globalization;
using NLog;
using StackExchange.Redis;

namespace ChatFork.Supervisor.Cluster;

/// <summary>
/// Everything this host writes to Redis, in the order the room asked for it, one call in flight at a time. A call
/// that fails because Redis is unreachable is made again, the same call, until it succeeds; nothing behind it moves
/// meanwhile, so lines said here while Redis is gone are held (up to --cluster-hold) and go out in their order when it
/// is back. A retried call may already have run (Redis died before its reply): the scripts are idempotent for that.
/// Consecutive lines go in one script call (up to 256, and a quarter of the stream's bound), so a burst costs one round trip per batch.
/// </summary>
internal sealed class ClusterOutbox : IDisposable
{
    private readonly int _batchMax;
    private static readonly Logger s_log = LogManager.GetLogger("cluster");

    private readonly RedisCluster _cluster;
    private readonly int _hold;
    private readonly ConcurrentQueue<Item> _queue = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly List<Item> _unit = [];
    private long _sequence;
    private int _lines;
    private int _pending;

    public ClusterOutbox(RedisCluster cluster, int hold, int streamMax)
    {
        _cluster = cluster;
        _hold = hold;
        // A batch far larger than the stream's bound would trim its own lines before any reader saw them.
        _batchMax = Math.Clamp(streamMax / 4, 1, 256);
    }

    /// <summary>Lines and calls not yet acknowledged by Redis.</summary>
    public int Pending => Volatile.Read(ref _pending);

    public bool TryAddLine(ClusterAudience audience, long member, byte[] line)
    {
        if (Interlocked.Increment(ref _lines) > _hold)
        {
            Interlocked.Decrement(ref _lines);
            return false;
        }

        var kind = audience == ClusterAudience.All ? "a" : "o";
        Enqueue(new Item(Interlocked.Increment(ref _sequence), kind, member, line, null));
        return true;
    }

    /// <summary>A call that is not a line (a claim, a leave): never refused, it is one per member at most.</summary>
    public void AddCall(Func<IDatabase, long, Task> call) => Enqueue(new Item(Interlocked.Increment(ref _sequence), null, 0, null, call));

    public async Task RunAsync(Task positioned, CancellationToken stopping)
    {
        // Nothing goes out before the reader knows where the stream stood: it must not skip this host's own lines.
        await positioned.WaitAsync(stopping);
        while (!stopping.IsCancellationRequested)
        {
            if (_unit.Count == 0)
            {
                if (!_queue.TryDequeue(out var first))
                {
                    await _signal.WaitAsync(stopping);
                    continue;
                }

                _unit.Add(first);
                while (first.Call is null && _unit.Count < _batchMax && _queue.TryPeek(out var next) && next.Call is null && _queue.TryDequeue(out next))
                {
                    _unit.Add(next);
                }
            }

            try
            {
                await SendAsync(_cluster.Database);
                Interlocked.Add(ref _pending, -_unit.Count);
                Interlocked.Add(ref _lines, -_unit.Count(i => i.Call is null));
                _cluster.ReportSuccess();
                _unit.Clear();
            }
            catch (Exception e) when (RedisCluster.IsTransient(e))
            {
                _cluster.ReportFailure("writing", e);
                await Task.Delay(RedisCluster.RetryDelay, stopping);
            }
            catch (Exception e)
            {
                s_log.Error(e, $"Redis refused {_unit.Count} writes for good; they are dropped");
                _cluster.Notice($"* {_unit.Count} lines or changes from this server could not be written to Redis; the supervisor's log says why");
                Interlocked.Add(ref _pending, -_unit.Count);
                Interlocked.Add(ref _lines, -_unit.Count(i => i.Call is null));
                _unit.Clear();
            }
        }
    }

    private Task SendAsync(IDatabase db)
    {
        if (_unit[0].Call is { } call)
        {
            return call(db, _unit[0].Sequence);
        }

        var args = new RedisValue[_cluster.BaseArgs.Length + (4 * _unit.Count)];
        _cluster.BaseArgs.CopyTo(args, 0);
        var a = _cluster.BaseArgs.Length;
        foreach (var item in _unit)
        {
            args[a++] = item.Sequence.ToString(CultureInfo.InvariantCulture);
            args[a++] = item.Kind;
            args[a++] = item.Member.ToString(CultureInfo.InvariantCulture);
            args[a++] = item.Line;
        }

        return db.ScriptEvaluateAsync(ClusterScripts.Lines, _cluster.Keys.For(_cluster.Keys.Own), args);
    }

    public void Dispose() => _signal.Dispose();

    private void Enqueue(Item item)
    {
        Interlocked.Increment(ref _pending);
        _queue.Enqueue(item);
        _signal.Release();
    }

    private sealed record Item(long Sequence, string? Kind, long Member, byte[]? Line, Func<IDatabase, long, Task>? Call);
}

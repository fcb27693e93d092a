using System.Globalization;
using StackExchange.Redis;

namespace ChatFork.Supervisor.Cluster;

/// <summary>Redis stream ids, "milliseconds-sequence": their order, and the time in them.</summary>
internal static class StreamIdComparer
{
    public static int Compare(RedisValue a, RedisValue b)
    {
        var (am, asq) = Split(a);
        var (bm, bsq) = Split(b);
        return am != bm ? am.CompareTo(bm) : asq.CompareTo(bsq);
    }

    public static DateTimeOffset? Time(RedisValue id)
    {
        var (ms, _) = Split(id);
        return ms > 0 ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Min(ms, (ulong)long.MaxValue)) : null;
    }

    public static (ulong Milliseconds, ulong Sequence) Split(RedisValue id)
    {
        var text = id.IsNull ? "0-0" : id.ToString();
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var ms = ulong.TryParse(dash < 0 ? text : text[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : 0;
        var sq = dash >= 0 && ulong.TryParse(text[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
        return (ms, sq);
    }
}

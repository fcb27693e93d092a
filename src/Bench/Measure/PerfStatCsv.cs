using System.Globalization;

namespace ChatFork.Bench.Measure;

/// <summary>
/// Reads what <c>perf stat -x, -o FILE</c> writes: comment lines starting with <c>#</c>, blank lines, control
/// messages ("Events enabled"), and one line per event: <c>value,unit,event,run time,percentage,...</c>, where the
/// value is a number or <c>&lt;not supported&gt;</c> / <c>&lt;not counted&gt;</c>.
/// </summary>
internal static class PerfStatCsv
{
    /// <summary>The count of <paramref name="wantedEvent"/> (with or without a <c>:u</c>-style modifier).</summary>
    public static PerfCount Parse(string text, string wantedEvent)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split(',');
            if (fields.Length < 3)
            {
                continue;
            }

            var name = fields[2].Trim();
            var bare = name.Split(':')[0];
            if (!string.Equals(bare, wantedEvent, StringComparison.Ordinal)
                && !string.Equals(name, wantedEvent, StringComparison.Ordinal))
            {
                continue;
            }

            var value = fields[0].Trim();
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var count))
            {
                return new PerfCount(name, count, null);
            }

            var why = value switch
            {
                "<not supported>" => "perf cannot count it here (<not supported>: this machine, often a virtual one, "
                    + "exposes no hardware counter for it)",
                "<not counted>" => "perf did not count it (<not counted>: the counter was never scheduled)",
                _ => $"perf printed '{value}' instead of a count",
            };
            return new PerfCount(name, null, $"{name}: {why}.");
        }

        return new PerfCount(wantedEvent, null, $"perf stat's output has no line for {wantedEvent}.");
    }
}

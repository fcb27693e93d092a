using System.Globalization;

namespace ChatFork.Supervisor;

/// <summary>How durations and sizes read in /ps and in logs.</summary>
internal static class Formats
{
    public static string Uptime(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h{t.Minutes:00}m")
        : t.TotalMinutes >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}m{t.Seconds:00}s")
            : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0}s");

    public static string Mebibytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.0} MiB");
}

using System.Diagnostics;

namespace ChatFork.Bench.Measure;

/// <summary>Stopwatch timestamps: monotonic and cheap enough to take on every received line.</summary>
internal static class Clock
{
    public static long Now => Stopwatch.GetTimestamp();

    public static double Milliseconds(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    public static double MillisecondsSince(long from) => Stopwatch.GetElapsedTime(from).TotalMilliseconds;
}

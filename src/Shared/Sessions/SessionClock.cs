using System.Diagnostics;

namespace ChatFork.Sessions;

/// <summary>The monotonic clock session limits are measured with (not the wall clock, which can jump).</summary>
internal static class SessionClock
{
    public static TimeSpan Now => Stopwatch.GetElapsedTime(0);
}

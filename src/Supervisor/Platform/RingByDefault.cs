namespace ChatFork.Supervisor.Platform;

/// <summary>Whether a left-out <c>--fanout</c> may be <c>shm</c> on this system (ServerSettings.DefaultFanout).</summary>
/// <remarks>
/// Linux only, for now. The bench measured the ring faster there (docs/performance.md). On Windows it was never
/// measured (Wine is not a machine to time), and one fault is known: the supervisor writes the ring's RingAttach
/// frames with a synchronous pipe write, and under Wine, whose named pipes hold no buffer, that write waits until the
/// worker reads. A worker that never reads (the rogue worker of PipeSecurityTests) then holds the attach step past
/// --attach-timeout, where Linux's socket buffer takes the frames at once. Until the attach writes there are bounded
/// and asynchronous, Windows keeps pipe as its default; <c>--fanout shm</c> still works there when asked for.
/// </remarks>
internal static class RingByDefault
{
    public static bool Here => OperatingSystem.IsLinux();
}

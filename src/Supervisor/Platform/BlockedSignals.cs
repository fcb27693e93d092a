namespace ChatFork.Supervisor.Platform;

/// <summary>
/// The shutdown signals and whether every thread of the supervisor blocks them, so that a <c>signalfd</c> may read
/// them; <paramref name="How"/> says how that came about, or why not.
/// </summary>
internal sealed record BlockedSignals(int[] Signals, bool EveryThread, string How)
{
    public static BlockedSignals NotAttempted { get; } = new([], false, "not on Linux");
}

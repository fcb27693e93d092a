using System.Diagnostics;
using System.Globalization;
using ChatFork.Platform;

namespace ChatFork.Supervisor.Platform;

/// <summary>
/// Linux: at start, makes SIGTERM and SIGINT blocked in every thread of the supervisor, so that they can be read
/// from a <c>signalfd</c> (<see cref="SignalFdListener"/>) and never reach .NET's own signal handling. Done by
/// blocking them and running the program again in the same process (<see cref="SelfExec"/>).
/// </summary>
/// <remarks>
/// <para>Why: .NET's <c>PosixSignalRegistration</c> runs every handler on a new thread
/// (<c>PosixSignalRegistration.Unix.cs</c>: <c>new Thread(HandleSignal).UnsafeStart()</c>, inside the
/// <c>[UnmanagedCallersOnly]</c> callback on the runtime's native signal thread). When the system is out of pids,
/// that thread cannot be made, the exception escapes into native code and the runtime aborts (<c>Out of memory.</c>):
/// a SIGTERM would kill the supervisor instead of stopping it in order. A <c>signalfd</c> read on a thread made at
/// start needs nothing new, but it sees only signals that <em>every</em> thread blocks: a process-directed signal
/// goes to any thread that does not block it, and that thread runs the runtime's handler.</para>
/// <para>Why the re-exec: a mask belongs to a thread, and the runtime made its threads (the finalizer, the native
/// signal thread, the tiered-compilation and event-pipe threads) before <c>Main</c>, each with the mask it was born
/// with; no call changes another thread's mask. <c>execve</c> keeps the calling thread's mask, and every thread of the
/// new image descends from that thread, so blocking in <c>Main</c> and exec'ing the same program again gives a runtime
/// whose every thread blocks them from its first instruction. The pid stays the same, and with it what scripts,
/// cgroups and the test harness hold. The second start costs one runtime start-up (measured in docs/resilience.md)
/// and is logged with its time.</para>
/// <para>Workers: .NET's fork/exec hands a child the mask of the thread that forked it, so workers start with both
/// blocked; each worker unblocks them at once (chatfork-worker's <c>InheritedSignalMask</c>).</para>
/// <para>SIGINT that the supervisor's parent left ignored (<c>SIG_IGN</c>, as a non-interactive shell does for a
/// background job) stays ignored, and is not blocked: a blocked signal is never discarded as ignored, and .NET
/// itself leaves an ignored SIGINT alone.</para>
/// </remarks>
internal static class BlockedAtStart
{
    // Set for the second image only (the first image's Stopwatch timestamp, CLOCK_MONOTONIC on Linux): it says the
    // re-exec happened, so it is never repeated, and how long it took. Removed before any worker could inherit it.
    private const string Variable = "CHATFORK_REEXEC_SIGNALS_BLOCKED";

    /// <summary>What <see cref="Ensure"/> found or did, for <see cref="ShutdownSignals"/>.</summary>
    public static BlockedSignals Outcome { get; private set; } = BlockedSignals.NotAttempted;

    /// <summary>Called first in <c>Main</c>: returns when every thread blocks the signals, or when that cannot be had.</summary>
    public static void Ensure()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Windows: Ctrl+C and Ctrl+Break arrive as console events (under Wine SIGINT too); there is no mask.
        }

        var marker = Environment.GetEnvironmentVariable(Variable);
        Environment.SetEnvironmentVariable(Variable, null); // workers get the environment of Environment, not environ
        int[] signals = SignalMask.Ignored(UnixSignals.SIGINT) ? [UnixSignals.SIGTERM] : [UnixSignals.SIGTERM, UnixSignals.SIGINT];

        if (SignalMask.BlockedHere(signals))
        {
            var notBlocking = SignalMask.ThreadsNotBlocking(Environment.ProcessId, signals);
            if (notBlocking.Count == 0)
            {
                Outcome = new BlockedSignals(signals, true, marker is null ? "they were blocked when this process started" : $"re-exec'd with them blocked in {ReexecMilliseconds(marker)}");
                return;
            }

            SignalMask.Unblock(signals);
            Outcome = new BlockedSignals(signals, false, $"threads {string.Join(", ", notBlocking)} do not block them");
            return;
        }

        if (marker is not null)
        {
            Outcome = new BlockedSignals(signals, false, "the re-exec'd process does not have them blocked");
            return;
        }

        SignalMask.Block(signals);
        var why = SelfExec.Again(Variable, Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture));
        SignalMask.Unblock(signals);
        Outcome = new BlockedSignals(signals, false, why);
    }

    private static string ReexecMilliseconds(string marker) =>
        long.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out var then)
            ? $"{Stopwatch.GetElapsedTime(then).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms"
            : "an unknown time";
}

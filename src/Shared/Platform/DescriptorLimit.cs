namespace ChatFork.Platform;

/// <summary>
/// Supervisor side, once at start: how many descriptors it may hold open (RLIMIT_NOFILE on Linux), raised to what
/// it will need. Each worker costs the supervisor descriptors for as long as it lives (its pipe), and each waiting
/// connection one more, so 10,000 clients do not fit in the usual soft limit of 1,024.
/// </summary>
internal static partial class DescriptorLimit
{
    /// <summary>What was there, what it is now, and why it is not more.</summary>
    public readonly record struct Outcome(ulong SoftBefore, ulong HardBefore, ulong Soft, ulong Hard, string? Problem);

    /// <summary>
    /// Raises the soft limit to the hard one; if <paramref name="needed"/> is more than the hard limit and this process
    /// may raise it (root: CAP_SYS_RESOURCE), raises both to <paramref name="needed"/>, at most fs.nr_open. Null where
    /// the OS has no such limit (Windows: a process may hold 16 million handles).
    /// </summary>
    public static Outcome? Raise(ulong needed) => OperatingSystem.IsLinux() ? RaiseLinux(needed) : null;
}

namespace ChatFork.Platform;

/// <summary>How a worker's exit code reads: "exited with code 0", "killed by SIGKILL", "crashed (access violation)".</summary>
internal static partial class ExitStatus
{
    public static string Describe(int exitCode) =>
        OperatingSystem.IsWindows() ? DescribeWindows(exitCode) : DescribeUnix(exitCode);

    /// <summary>True when the process did not end on its own with code 0: a signal, a crash, a failure code.</summary>
    public static bool IsUnexpected(int exitCode) => exitCode != 0;

    /// <summary>The Unix signal that ended the process, if the code says one did; null on Windows.</summary>
    public static int? SignalOf(int exitCode) => OperatingSystem.IsWindows() ? null : UnixSignalOf(exitCode);
}

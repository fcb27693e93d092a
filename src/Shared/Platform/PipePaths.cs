namespace ChatFork.Platform;

/// <summary>
/// Names of the per-worker pipes. On Unix a .NET named pipe is a Unix domain socket, and a rooted name is used as
/// its path as is (<c>sun_path</c> holds 108 bytes, so the path stays short); on Windows it is
/// <c>\\.\pipe\NAME</c>. The supervisor's pid in the name keeps two supervisors on one machine apart.
/// </summary>
public static partial class PipePaths
{
    public const string Prefix = "chatfork-";

    public static string ForWorker(int supervisorProcessId, long workerId) =>
        OperatingSystem.IsWindows()
            ? $"{Prefix}{supervisorProcessId}-{workerId}"
            : UnixPathForWorker(supervisorProcessId, workerId);

    /// <summary>
    /// Once a worker is connected, its pipe takes no other peer. On Unix that means removing the socket's name, so
    /// any later connect fails at once (ENOENT) instead of waiting in the listen backlog; a connected Windows pipe
    /// instance takes no other client anyway (maxNumberOfServerInstances = 1). Returns an error message, or null.
    /// </summary>
    public static string? Forget(string pipeName) => OperatingSystem.IsWindows() ? null : ForgetUnix(pipeName);

    /// <summary>Removes the pipe names left by supervisors that no longer exist (never another live one's).</summary>
    public static IReadOnlyList<string> RemoveStale() => OperatingSystem.IsWindows() ? [] : RemoveStaleUnix();
}

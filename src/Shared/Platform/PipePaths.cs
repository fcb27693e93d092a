namespace ChatFork.Platform;

/// <summary>
/// Names of the per-worker pipes; the one place they are made. On Unix a .NET named pipe is a Unix domain socket,
/// and a rooted name is used as its path as is; on Windows it is <c>\\.\pipe\NAME</c>.
/// </summary>
/// <remarks>
/// On Unix the sockets live in a private directory that this supervisor creates at start (mode 0700, owned by us,
/// checked with lstat so a planted symlink or another user's directory is refused):
/// <c>$XDG_RUNTIME_DIR/chatfork-PID-RANDOM</c> when that is set and ours, else a fresh mkdtemp-style
/// <c>/tmp/chatfork-PID-RANDOM</c>. Another local user can then neither connect to a pipe (whatever the umask: the
/// directory cannot be searched) nor squat its name ahead of time (the directory's name cannot be predicted, and it
/// is new). The pipes are <c>DIR/wN</c>: <c>sun_path</c> holds 108 bytes, so names stay short.
/// </remarks>
internal static partial class PipePaths
{
    public const string Prefix = "chatfork-";

    /// <summary>Makes this supervisor's private pipe directory (on Unix; nothing on Windows). Call once, at start.</summary>
    /// <exception cref="ChatForkException">No private directory could be made; the message says why.</exception>
    public static string? CreateDirectory() => OperatingSystem.IsWindows() ? null : CreateUnixDirectory();

    public static string ForWorker(int supervisorProcessId, long workerId) =>
        OperatingSystem.IsWindows()
            ? $"{Prefix}{supervisorProcessId}-{workerId}"
            : UnixPathForWorker(workerId);

    /// <summary>
    /// Once a worker is connected, its pipe takes no other peer. On Unix that means removing the socket's name, so
    /// any later connect fails at once (ENOENT) instead of waiting in the listen backlog; a connected Windows pipe
    /// instance takes no other client anyway (maxNumberOfServerInstances = 1). Returns an error message, or null.
    /// </summary>
    public static string? Forget(string pipeName) => OperatingSystem.IsWindows() ? null : ForgetUnix(pipeName);

    /// <summary>Removes the pipe directories (and old-style pipe names) left by supervisors that no longer exist.</summary>
    public static IReadOnlyList<string> RemoveStale() => OperatingSystem.IsWindows() ? [] : RemoveStaleUnix();

    /// <summary>At shutdown: removes this supervisor's pipe directory and whatever is left in it.</summary>
    public static string? RemoveDirectory() => OperatingSystem.IsWindows() ? null : RemoveUnixDirectory();
}

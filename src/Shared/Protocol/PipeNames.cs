namespace ChatFork.Protocol;

/// <summary>
/// Names of the per-worker pipes. On Unix a .NET named pipe is a Unix domain socket, and a rooted name is used as
/// its path as is (<c>sun_path</c> holds 108 bytes, so the path stays short); on Windows it is
/// <c>\\.\pipe\NAME</c>. The supervisor's pid in the name keeps two supervisors on one machine apart.
/// </summary>
public static class PipeNames
{
    public const string Prefix = "chatfork-";

    public static string ForWorker(int supervisorProcessId, long workerId) =>
        OperatingSystem.IsWindows()
            ? $"{Prefix}{supervisorProcessId}-{workerId}"
            : Path.Combine(Path.GetTempPath(), $"{Prefix}{supervisorProcessId}-{workerId}.pipe");
}

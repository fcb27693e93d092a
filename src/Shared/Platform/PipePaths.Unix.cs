namespace ChatFork.Platform;

public static partial class PipePaths
{
    private static string UnixPathForWorker(int supervisorProcessId, long workerId) =>
        Path.Combine(Path.GetTempPath(), $"{Prefix}{supervisorProcessId}-{workerId}.pipe");

    private static string? ForgetUnix(string pipeName)
    {
        try
        {
            File.Delete(pipeName);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    // A supervisor killed with SIGKILL leaves the socket files of pipes whose workers had not attached yet (attached
    // ones are unlinked at once).
    private static List<string> RemoveStaleUnix()
    {
        var removed = new List<string>();
        foreach (var path in Directory.EnumerateFiles(Path.GetTempPath(), $"{Prefix}*.pipe"))
        {
            var name = Path.GetFileNameWithoutExtension(path)[Prefix.Length..];
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(name.AsSpan(0, dash), out var pid) && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
            {
                try
                {
                    File.Delete(path);
                    removed.Add(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Another user's, or in use: not ours to touch.
                }
            }
        }

        return removed;
    }
}

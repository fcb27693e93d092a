namespace ChatFork.Platform;

/// <summary>The worker executable's file name beside the supervisor's.</summary>
internal static class WorkerExecutable
{
    public static string FileName => OperatingSystem.IsWindows() ? "chatfork-worker.exe" : "chatfork-worker";
}

namespace ChatFork.Platform;

/// <summary>The <see cref="IProcessPlatform"/> of the OS this process runs on.</summary>
public static class ProcessPlatform
{
    public static IProcessPlatform Current { get; } =
        OperatingSystem.IsWindows() ? new WindowsProcessPlatform() : new UnixProcessPlatform();
}

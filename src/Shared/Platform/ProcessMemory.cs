namespace ChatFork.Platform;

/// <summary>A process's memory as the OS can tell it: Pss on Linux (its fair share of shared pages), else private bytes.</summary>
internal readonly partial record struct ProcessMemory(long Bytes, string Kind)
{
    /// <summary>The memory a process holds, or null if it is gone or unreadable.</summary>
    public static ProcessMemory? Read(int processId) =>
        OperatingSystem.IsWindows() ? ReadWindows(processId) : ReadUnix(processId);
}

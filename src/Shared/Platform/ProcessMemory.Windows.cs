using System.Diagnostics;

namespace ChatFork.Platform;

internal readonly partial record struct ProcessMemory
{
    private static ProcessMemory? ReadWindows(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return new ProcessMemory(process.PrivateMemorySize64, "private");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }
}

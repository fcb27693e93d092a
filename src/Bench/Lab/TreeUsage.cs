using System.Globalization;
using ChatFork.Bench.Measure;
using ChatFork.Bench.Platform;

namespace ChatFork.Bench.Lab;

/// <summary>
/// What a server's process tree uses at one moment, read from <c>/proc</c>: processes, OS threads, Pss, and the CPU
/// time the tree has used so far.
/// <para>
/// CPU time is counted so that it only grows while the tree runs: the user and system time of every process now in
/// the tree (zombies too: their time is not yet their parent's), plus the root's cutime and cstime, where the kernel
/// adds a child's time when the parent reaps it. So a worker that served a client and exited still counts, and the
/// difference between two readings is what the tree used between them.
/// </para>
/// </summary>
/// <param name="Processes">Live processes in the tree (zombies left out), the root included.</param>
/// <param name="Threads">OS threads: the sum of <c>Threads:</c> in each live process's <c>/proc/PID/status</c>.</param>
/// <param name="CpuTicks">Clock ticks of CPU used by the tree since the root started (see the remarks).</param>
/// <param name="Memory">Pss summed over the tree.</param>
internal sealed record TreeUsage(int Processes, int Threads, ulong CpuTicks, TreeMemory Memory)
{
    /// <summary>Clock ticks per second of <c>/proc/PID/stat</c> (USER_HZ).</summary>
    public static double TicksPerSecond => ClockTicks.PerSecond;

    /// <summary>Reads the tree of <paramref name="root"/>; null when the root is gone.</summary>
    public static TreeUsage? Read(int root)
    {
        var tree = ProcessTree.Of(root);
        if (tree.Count == 0)
        {
            return null;
        }

        var live = tree.Where(process => !process.IsZombie).ToList();
        var threads = live.Sum(process => ReadThreads(process.Pid));
        var cpu = tree.Aggregate(0UL, (sum, process) => sum + process.CpuTicks) + tree[0].ReapedChildrenCpuTicks;
        return new TreeUsage(live.Count, threads, cpu, ProcessTree.MeasurePss(root));
    }

    /// <summary>CPU seconds used between <paramref name="before"/> and <paramref name="after"/>.</summary>
    public static double CpuSecondsBetween(TreeUsage before, TreeUsage after) =>
        after.CpuTicks >= before.CpuTicks ? (after.CpuTicks - before.CpuTicks) / TicksPerSecond : 0;

    private static int ReadThreads(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("Threads:", StringComparison.Ordinal)
                    && int.TryParse(line.AsSpan(8).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                {
                    return count;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Exited between listing and reading: it has no threads left to count.
        }

        return 0;
    }
}

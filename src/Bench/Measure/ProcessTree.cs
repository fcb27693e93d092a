using System.Diagnostics;
using System.Globalization;

namespace ChatFork.Bench.Measure;

/// <summary>
/// A server's process tree read from <c>/proc</c>: the root and every process whose chain of parents leads to it.
/// Pss (proportional set size) is the fair measure for forked processes: pages shared by N processes count 1/N in
/// each, so the sum over the tree is what the tree really costs.
/// </summary>
internal static class ProcessTree
{
    /// <summary>The processes in the tree of <paramref name="root"/>, the root first; empty if it is gone.</summary>
    public static IReadOnlyList<ProcessStat> Of(int root)
    {
        var children = new Dictionary<int, List<ProcessStat>>();
        ProcessStat? rootStat = null;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            if (ReadStat(pid) is not { } stat)
            {
                continue;
            }

            if (pid == root)
            {
                rootStat = stat;
            }

            if (!children.TryGetValue(stat.ParentPid, out var list))
            {
                children[stat.ParentPid] = list = [];
            }

            list.Add(stat);
        }

        if (rootStat is not { } found)
        {
            return [];
        }

        var tree = new List<ProcessStat> { found };
        for (var i = 0; i < tree.Count; i++)
        {
            if (children.TryGetValue(tree[i].Pid, out var list))
            {
                tree.AddRange(list);
            }
        }

        return tree;
    }

    public static TreeMemory MeasurePss(int root)
    {
        // Zombies have exited and hold no memory; counting them would make a slow reaper look like a fat server.
        var tree = Of(root).Where(process => !process.IsZombie).ToList();
        double totalKiB = 0;
        var unreadable = 0;
        foreach (var process in tree)
        {
            if (ReadPssKiB(process.Pid) is { } pss)
            {
                totalKiB += pss;
            }
            else
            {
                unreadable++;
            }
        }

        return new TreeMemory(totalKiB, tree.Count, unreadable);
    }

    /// <summary>
    /// Waits until the tree of <paramref name="root"/> holds at least <paramref name="expectedProcesses"/> processes
    /// and has been quiet for <paramref name="quietFor"/>: the same number of processes at every step, and at most
    /// <paramref name="ticksPerStep"/> clock ticks of CPU between two steps. A server that says it is ready may still
    /// be starting processes, and a fork-per-connection server that has just served a connection refills its pool;
    /// timing before the tree is quiet would measure that, not the server.
    /// </summary>
    /// <param name="root">The root of the tree.</param>
    /// <param name="expectedProcesses">The fewest processes a settled tree has (the root counts).</param>
    /// <param name="step">How often the tree is read.</param>
    /// <param name="quietFor">How long it must stay quiet.</param>
    /// <param name="ticksPerStep">CPU allowed per step: an idle tree still runs a timer or two.</param>
    /// <param name="limit">How long to wait at most.</param>
    /// <param name="check">Called at every step; may throw (the server exited, say).</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>True once the tree is quiet; false when <paramref name="limit"/> passed first.</returns>
    public static async Task<bool> WaitUntilQuietAsync(
        int root,
        int expectedProcesses,
        TimeSpan step,
        TimeSpan quietFor,
        ulong ticksPerStep,
        TimeSpan limit,
        Action? check,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var previous = Activity(root);
        var quietSince = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            await Task.Delay(step, cancellationToken);
            check?.Invoke();
            var now = Activity(root);
            var quiet = now.Processes == previous.Processes && now.CpuTicks <= previous.CpuTicks + ticksPerStep;
            previous = now;
            if (!quiet || now.Processes < expectedProcesses)
            {
                quietSince = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(quietSince) >= quietFor)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads <c>/proc/PID/stat</c>, or null if the process is gone.</summary>
    public static ProcessStat? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name is in parentheses and may itself hold spaces and ')', so split after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // fields[0] is field 3 of stat(5) (state), fields[1] field 4 (ppid), fields[11] and [12] fields 14 and 15
        // (utime, stime), fields[13] and [14] fields 16 and 17 (cutime, cstime: waited-for children), fields[19]
        // field 22 (starttime).
        if (fields.Length < 20
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            || !ulong.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var userTicks)
            || !ulong.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var systemTicks)
            || !ulong.TryParse(fields[13], NumberStyles.None, CultureInfo.InvariantCulture, out var childUserTicks)
            || !ulong.TryParse(fields[14], NumberStyles.None, CultureInfo.InvariantCulture, out var childSystemTicks)
            || !ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime))
        {
            return null;
        }

        return new ProcessStat(
            pid, parent, fields[0][0], startTime, userTicks + systemTicks, childUserTicks + childSystemTicks);
    }

    /// <summary>True while the process recorded in <paramref name="stat"/> still runs (not a zombie, pid not reused).</summary>
    public static bool IsAlive(ProcessStat stat) =>
        ReadStat(stat.Pid) is { } now && now.StartTime == stat.StartTime && !now.IsZombie;

    // Processes that exit between two reads take their CPU time with them (into the root's cutime once reaped), so
    // the sum may go down; a drop counts as quiet, which is what an exiting process is.
    private static (int Processes, ulong CpuTicks) Activity(int root)
    {
        var tree = Of(root);
        return (tree.Count, tree.Aggregate(0UL, (sum, process) => sum + process.CpuTicks));
    }

    private static double? ReadPssKiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
            {
                if (line.StartsWith("Pss:", StringComparison.Ordinal))
                {
                    var value = line.AsSpan(4).Trim();
                    var space = value.IndexOf(' ');
                    return double.Parse(space < 0 ? value : value[..space], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Exited between listing and reading.
        }

        return null;
    }
}

using System.Globalization;

namespace ChatFork.Bench.Measure;

/// <summary>
/// A server's tree at one moment, split into the root (ChatFork's supervisor, or the whole of a one-process server)
/// and its descendants (the workers): Pss of each part, processes, threads (every thread takes a pid, so the tree's
/// threads are what pid_max limits), and the root's threads and open descriptors.
/// </summary>
internal sealed record ServerFootprint(
    double RootPssMiB,
    double ChildrenPssMiB,
    int Children,
    int RootThreads,
    int RootDescriptors,
    int TreeThreads)
{
    public static ServerFootprint? Read(int root)
    {
        var tree = ProcessTree.Of(root).Where(process => !process.IsZombie).ToList();
        if (tree.Count == 0)
        {
            return null;
        }

        double childrenKiB = 0;
        var threads = 0;
        foreach (var process in tree.Skip(1))
        {
            childrenKiB += ProcFile.StatusKiB(process.Pid, "smaps_rollup", "Pss:") ?? 0;
            threads += ProcFile.Threads(process.Pid) ?? 0;
        }

        var rootThreads = ProcFile.Threads(root) ?? 0;
        return new ServerFootprint(
            (ProcFile.StatusKiB(root, "smaps_rollup", "Pss:") ?? 0) / 1024.0,
            childrenKiB / 1024.0,
            tree.Count - 1,
            rootThreads,
            ProcFile.Descriptors(root) ?? 0,
            threads + rootThreads);
    }

    /// <summary>
    /// Pss per served client: the workers' Pss over the clients when the server has workers (the supervisor is
    /// reported on its own), else the one process's Pss over the clients.
    /// </summary>
    public double PerClientMiB(int clients) =>
        clients <= 0 ? double.NaN : (Children > 0 ? ChildrenPssMiB : RootPssMiB) / clients;

    /// <summary>Small readers of <c>/proc/PID</c> files; null when the process is gone.</summary>
    private static class ProcFile
    {
        public static double? StatusKiB(int pid, string file, string field)
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{pid}/{file}"))
                {
                    if (line.StartsWith(field, StringComparison.Ordinal))
                    {
                        var value = line.AsSpan(field.Length).Trim();
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

        public static int? Threads(int pid) => (int?)StatusKiB(pid, "status", "Threads:");

        public static int? Descriptors(int pid)
        {
            try
            {
                return Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}

using System.Globalization;
using System.Net;

namespace ChatFork.Tests.Support;

/// <summary>What /proc says about processes, their states and their descriptors.</summary>
internal static class ProcFs
{
    public readonly record struct ProcStat(int Pid, char State, int ParentPid, string Command);

    public static ProcStat? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // comm is in parentheses and may hold spaces; the fields after the last ')' are fixed.
            var open = text.IndexOf('(', StringComparison.Ordinal);
            var close = text.LastIndexOf(')');
            var fields = text[(close + 2)..].Split(' ');
            return new ProcStat(pid, fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture), text[(open + 1)..close]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static IEnumerable<ProcStat> All()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && Stat(pid) is { } stat)
            {
                yield return stat;
            }
        }
    }

    public static List<ProcStat> Children(int parent) => All().Where(s => s.ParentPid == parent).ToList();

    /// <summary>Every descendant of <paramref name="root"/>, found by walking parent links.</summary>
    public static List<int> Descendants(int root)
    {
        var all = All().ToList();
        var result = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var pid))
        {
            foreach (var child in all.Where(s => s.ParentPid == pid))
            {
                result.Add(child.Pid);
                frontier.Enqueue(child.Pid);
            }
        }

        return result;
    }

    public static bool Exists(int pid) => Directory.Exists($"/proc/{pid}");

    /// <summary>When the process started, in clock ticks since boot (field 22 of /proc/PID/stat).</summary>
    public static long? StartTime(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[19], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A process's arguments, from /proc/PID/cmdline (empty if it is gone or a zombie).</summary>
    public static string[] CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public static List<ProcStat> Zombies() => All().Where(s => s.State == 'Z').ToList();

    /// <summary>The socket inodes a process holds open.</summary>
    public static HashSet<long> SocketInodes(int pid)
    {
        var result = new HashSet<long>();
        foreach (var target in FdTargets(pid))
        {
            if (target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                result.Add(long.Parse(target.AsSpan(8, target.Length - 9), CultureInfo.InvariantCulture));
            }
        }

        return result;
    }

    /// <summary>What each of a process's fds points at (readlink of /proc/PID/fd/N).</summary>
    public static List<string> FdTargets(int pid)
    {
        var result = new List<string>();
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                try
                {
                    if (new FileInfo(fd).LinkTarget is { } target)
                    {
                        result.Add(target);
                    }
                }
                catch (IOException)
                {
                    // closed while we looked
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
        }

        return result;
    }

    public static int FdCount(int pid) => FdTargets(pid).Count;

    /// <summary>The targets of the given fd numbers of a process.</summary>
    public static List<string> FdTargets(int pid, params int[] fds)
    {
        var result = new List<string>();
        foreach (var fd in fds)
        {
            try
            {
                if (new FileInfo($"/proc/{pid}/fd/{fd}").LinkTarget is { } target)
                {
                    result.Add(target);
                }
            }
            catch (IOException)
            {
            }
        }

        return result;
    }

    /// <summary>
    /// The inode of the TCP socket whose local end is <paramref name="local"/> and remote end <paramref name="remote"/>,
    /// from /proc/net/tcp (IPv4).
    /// </summary>
    public static long? TcpInode(IPEndPoint local, IPEndPoint remote)
    {
        var wantLocal = Hex(local);
        var wantRemote = Hex(remote);
        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields[1] == wantLocal && fields[2] == wantRemote)
            {
                return long.Parse(fields[9], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    public static long? PssKiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/smaps_rollup").FirstOrDefault(l => l.StartsWith("Pss:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line[4..].Trim().Replace(" kB", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The most resident memory the process has had (VmHWM), in KiB; 0 if it is gone.</summary>
    public static long PeakRssKiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[6..].Trim().Replace(" kB", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string Hex(IPEndPoint endPoint)
    {
        var bytes = endPoint.Address.MapToIPv4().GetAddressBytes();
        // /proc/net/tcp prints the address as a host-order (little-endian) 32-bit number, the port big-endian.
        var address = BitConverter.ToUInt32(bytes, 0);
        return string.Create(CultureInfo.InvariantCulture, $"{address:X8}:{endPoint.Port:X4}");
    }
}

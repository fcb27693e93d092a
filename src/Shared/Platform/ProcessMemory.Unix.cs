using System.Diagnostics;
using System.Globalization;

namespace ChatFork.Platform;

internal readonly partial record struct ProcessMemory
{
    private static ProcessMemory? ReadUnix(int processId)
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                foreach (var line in File.ReadLines($"/proc/{processId}/smaps_rollup"))
                {
                    if (line.StartsWith("Pss:", StringComparison.Ordinal))
                    {
                        var kb = long.Parse(line.AsSpan(4).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                        return new ProcessMemory(kb * 1024, "Pss");
                    }
                }
            }

            using var process = Process.GetProcessById(processId);
            return new ProcessMemory(process.WorkingSet64, "RSS");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}

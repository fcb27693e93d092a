using System.Diagnostics;
using System.Runtime.InteropServices;
using ChatFork.Bench.Platform;

namespace ChatFork.Bench.Results;

/// <summary>What the figures were measured on; figures without it cannot be compared across machines.</summary>
internal sealed record MachineInfo(
    string CpuModel,
    int Cores,
    string Kernel,
    string OperatingSystem,
    string DotNet,
    DateTimeOffset Date,
    ulong? OpenFileLimit,
    string? LoadAverage,
    IDictionary<string, string> ToolVersions)
{
    public static MachineInfo Collect() => new(
        ReadCpuModel(),
        Environment.ProcessorCount,
        ReadFirstLine("/proc/sys/kernel/osrelease") ?? Environment.OSVersion.VersionString,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        DateTimeOffset.UtcNow,
        FileLimit.Current(),
        ReadLoadAverage(),
        new Dictionary<string, string>
        {
            ["socat"] = ToolVersion("socat", "-V", "socat version") ?? "not found",
            ["ncat"] = ToolVersion("ncat", "--version", "Ncat: Version") ?? "not found",
        });

    /// <summary>
    /// A sentence when the 1-minute load average exceeds the core count: other work competes with the servers and
    /// the bench, so the figures are noisy and comparisons with other runs are weak.
    /// </summary>
    public static string? BusyWarning()
    {
        var load = ReadLoadAverage()?.Split(' ')[0];
        return double.TryParse(load, System.Globalization.CultureInfo.InvariantCulture, out var oneMinute)
            && oneMinute > Environment.ProcessorCount
                ? $"The machine is busy (load average {load} on {Environment.ProcessorCount} cores); the figures will be noisy."
                : null;
    }

    /// <summary>The 1, 5 and 15 minute load averages, as in <c>/proc/loadavg</c>.</summary>
    private static string? ReadLoadAverage() =>
        ReadFirstLine("/proc/loadavg") is { } line ? string.Join(' ', line.Split(' ').Take(3)) : null;

    private static string ReadCpuModel()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is var colon and > 0)
                {
                    return line[(colon + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
            // Not Linux, or /proc not mounted.
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static string? ReadFirstLine(string path)
    {
        try
        {
            return File.ReadLines(path).FirstOrDefault()?.Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The first line of the tool's version output that contains <paramref name="marker"/>.</summary>
    private static string? ToolVersion(string tool, string argument, string marker)
    {
        try
        {
            var startInfo = new ProcessStartInfo(tool, argument)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(startInfo);
            if (process is null)
            {
                return null;
            }

            var stderr = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd() + "\n" + stderr.GetAwaiter().GetResult();
            if (!process.WaitForExit(5000))
            {
                process.Kill();
            }

            return output.Split('\n').FirstOrDefault(line => line.Contains(marker, StringComparison.Ordinal))?.Trim();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }
}

using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Unix;

namespace ChatFork.Platform;

internal static partial class DescriptorLimit
{
    private const string NrOpenPath = "/proc/sys/fs/nr_open";

    [SupportedOSPlatform("linux")]
    private static Outcome? RaiseLinux(ulong needed)
    {
        if (Libc.GetRLimit(Libc.RLIMIT_NOFILE, out var before) != 0)
        {
            return null;
        }

        var soft = before.Current;
        var hard = before.Maximum;
        string? problem = null;
        if (needed > hard)
        {
            // Only a process with CAP_SYS_RESOURCE may raise its hard limit, and never past fs.nr_open.
            var target = Math.Min(needed, NrOpen() ?? hard);
            if (target > hard && Libc.SetRLimit(Libc.RLIMIT_NOFILE, new Libc.RLimit { Current = target, Maximum = target }) == 0)
            {
                soft = hard = target;
            }
            else
            {
                problem = target > hard
                    ? $"raising the hard limit failed ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}; only root may)"
                    : $"fs.nr_open is {target}";
            }
        }

        if (soft < hard && Libc.SetRLimit(Libc.RLIMIT_NOFILE, new Libc.RLimit { Current = hard, Maximum = hard }) == 0)
        {
            soft = hard;
        }

        return new Outcome(before.Current, before.Maximum, soft, hard, soft < needed ? problem ?? "the hard limit is lower" : null);
    }

    private static ulong? NrOpen()
    {
        try
        {
            return ulong.TryParse(File.ReadAllText(NrOpenPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

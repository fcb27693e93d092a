using System.Runtime.InteropServices;
using ChatFork.Bench.Interop.Unix;

namespace ChatFork.Bench.Platform;

/// <summary>
/// Raises the soft open-file limit. The servers the bench starts inherit it, and the scale scenario holds a
/// thousand client sockets in the bench plus a thousand on the server side, more than the common soft limit of 1024.
/// </summary>
internal static class FileLimit
{
    /// <summary>Raises the soft limit to the hard limit when it is below <paramref name="wanted"/>.</summary>
    /// <returns>A sentence saying what happened, or null when nothing needed doing.</returns>
    public static string? EnsureAtLeast(ulong wanted)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        if (Libc.GetRLimit(Libc.RLIMIT_NOFILE, out var limit) != 0)
        {
            return $"Could not read the open-file limit (errno {Marshal.GetLastPInvokeError()}).";
        }

        if (limit.Current >= wanted)
        {
            return null;
        }

        // Root (CAP_SYS_RESOURCE) may raise the hard limit too, up to fs.nr_open: the scale scenario's 10,000
        // clients need more than the common hard limit. Anyone else falls through to the soft limit alone.
        if (limit.Maximum < wanted)
        {
            var both = new RLimit { Current = wanted, Maximum = wanted };
            if (Libc.SetRLimit(Libc.RLIMIT_NOFILE, in both) == 0)
            {
                return $"Raised the open-file limit from {limit.Current} (hard {limit.Maximum}) to {wanted}.";
            }
        }

        // The .NET runtime already raises the soft limit to the hard one when it starts on Linux, so this is mostly
        // a guard, and a way to say so when the hard limit itself is too low.
        if (limit.Current >= limit.Maximum)
        {
            return $"The open-file limit is {limit.Current}, which is its hard limit and below {wanted}; "
                + "large scenarios may fail to connect (raise it with 'ulimit -Hn' as root).";
        }

        var raised = new RLimit { Current = limit.Maximum, Maximum = limit.Maximum };
        if (Libc.SetRLimit(Libc.RLIMIT_NOFILE, in raised) != 0)
        {
            return $"Could not raise the open-file limit from {limit.Current} to {limit.Maximum} "
                + $"(errno {Marshal.GetLastPInvokeError()}); large scenarios may fail to connect.";
        }

        return limit.Maximum >= wanted
            ? $"Raised the open-file limit from {limit.Current} to {limit.Maximum}."
            : $"Raised the open-file limit from {limit.Current} to its hard limit {limit.Maximum}, which is below "
                + $"{wanted}; large scenarios may fail to connect.";
    }

    /// <summary>The current soft limit, for reports.</summary>
    public static ulong? Current()
    {
        return OperatingSystem.IsLinux() && Libc.GetRLimit(Libc.RLIMIT_NOFILE, out var limit) == 0
            ? limit.Current
            : null;
    }
}

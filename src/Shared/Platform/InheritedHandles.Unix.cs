using System.Globalization;
using System.Runtime.Versioning;
using ChatFork.Interop.Unix;

namespace ChatFork.Platform;

internal static partial class InheritedHandles
{
    // .NET opens every descriptor of its own close-on-exec, but a descriptor this process inherited without that flag
    // (a shell's, a test runner's) would be inherited again by every worker. Flag them all; stdin, stdout and stderr
    // stay inheritable on purpose (workers write their last words to the supervisor's stderr).
    [SupportedOSPlatform("linux")]
    private static int ProtectLinux()
    {
        var changed = 0;
        foreach (var entry in Directory.GetFileSystemEntries("/proc/self/fd"))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var fd) || fd < 3)
            {
                continue;
            }

            var flags = Libc.Fcntl(fd, Libc.F_GETFD, 0);
            if (flags >= 0 && (flags & Libc.FD_CLOEXEC) == 0 && Libc.Fcntl(fd, Libc.F_SETFD, flags | Libc.FD_CLOEXEC) == 0)
            {
                changed++;
            }
        }

        return changed;
    }
}

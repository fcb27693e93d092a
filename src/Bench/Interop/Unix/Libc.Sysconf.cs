using System.Runtime.InteropServices;

namespace ChatFork.Bench.Interop.Unix;

internal static partial class Libc
{
    /// <summary>The clock ticks per second that <c>/proc/PID/stat</c> counts CPU time in (USER_HZ).</summary>
    internal const int _SC_CLK_TCK = 2;

    /// <summary><c>long sysconf(int name)</c>; -1 when the value is unknown.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "sysconf", SetLastError = true)]
    internal static partial nint Sysconf(int name);
}

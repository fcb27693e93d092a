using ChatFork.Bench.Interop.Unix;

namespace ChatFork.Bench.Platform;

/// <summary>The unit of the CPU times in <c>/proc/PID/stat</c>: clock ticks per second (USER_HZ).</summary>
internal static class ClockTicks
{
    private static readonly Lazy<double> s_perSecond = new(Read);

    public static double PerSecond => s_perSecond.Value;

    private static double Read()
    {
        // 100 on every Linux architecture .NET runs on; asked anyway, as the kernel's ABI defines it through sysconf.
        var ticks = OperatingSystem.IsLinux() ? Libc.Sysconf(Libc._SC_CLK_TCK) : -1;
        return ticks > 0 ? ticks : 100;
    }
}

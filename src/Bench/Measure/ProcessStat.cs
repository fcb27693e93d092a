namespace ChatFork.Bench.Measure;

/// <summary>
/// The fields of <c>/proc/PID/stat</c> the bench uses. <see cref="StartTime"/> (clock ticks after boot) tells a
/// process from a later one that reused its pid; <see cref="CpuTicks"/> is user plus system time, in clock ticks;
/// <see cref="ReapedChildrenCpuTicks"/> is the same for the children it has waited for (cutime plus cstime), which is
/// where the CPU time of a worker that has exited and been reaped ends up.
/// </summary>
internal readonly record struct ProcessStat(
    int Pid, int ParentPid, char State, ulong StartTime, ulong CpuTicks, ulong ReapedChildrenCpuTicks = 0)
{
    /// <summary>A zombie has exited and only waits to be reaped.</summary>
    public bool IsZombie => State is 'Z' or 'X';
}

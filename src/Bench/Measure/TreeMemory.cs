namespace ChatFork.Bench.Measure;

/// <summary>Proportional set size summed over a process tree.</summary>
/// <param name="PssKiB">The sum of <c>Pss:</c> from each process's <c>smaps_rollup</c>.</param>
/// <param name="Processes">Processes found in the tree.</param>
/// <param name="Unreadable">Processes whose <c>smaps_rollup</c> could not be read (exited, or not permitted).</param>
internal sealed record TreeMemory(double PssKiB, int Processes, int Unreadable)
{
    public double PssMiB => PssKiB / 1024.0;
}

namespace ChatFork.Supervisor.Platform;

/// <summary>Whether the supervisor caps its thread pool at the threads it made at start (ThreadReserve).</summary>
/// <remarks>
/// Linux only. There the cap is what keeps .NET 10's pool from starting a thread while the pids are exhausted (an
/// unhandled OutOfMemoryException, docs/resilience.md), and the supervisor's work on the pool never blocks. On
/// Windows a process cannot run out of pids that way, and the cap starved the supervisor under Wine: the rogue-worker
/// and flood tests stopped at "0 of 1 idle workers attached", its pipes' I/O waiting for a pool thread that the cap
/// forbade.
/// </remarks>
internal static class ThreadPoolCap
{
    public static bool Applies => OperatingSystem.IsLinux();
}

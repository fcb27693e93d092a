using ChatFork.Protocol;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>One reaped worker, as the reaper reports it to whoever reacts (the server: back-off, room, pool).</summary>
/// <param name="LastState">The state the worker was in when it exited.</param>
/// <param name="How">"exited with code 0", "killed by SIGKILL", "crashed (STATUS_ACCESS_VIOLATION, 0xC0000005)".</param>
internal sealed record WorkerExit(WorkerSlot Slot, WorkerState LastState, int ExitCode, string How, TimeSpan Ran)
{
    /// <summary>What the room reads: "quit: see you; worker 4242 exited with code 0", "worker 4242 killed by SIGKILL".</summary>
    public string RoomWords()
    {
        var life = Slot.Life;
        var parts = new List<string>(3);
        if (life.Leaving is { } leaving)
        {
            parts.Add(LeaveWords(leaving));
        }

        if (life.KillReason is { } reason)
        {
            parts.Add($"dropped: {reason}");
        }

        parts.Add($"worker {Slot.ProcessId} {How}");
        return string.Join("; ", parts);
    }

    /// <summary>What the room reads of a worker's Leaving: "disconnected", "quit: see you".</summary>
    public static string LeaveWords(LeavingMessage leaving)
    {
        var words = LeaveReasons.Describe(leaving.Reason);
        return leaving.Reason == LeaveReason.Quit && leaving.Detail.Length > 0 ? $"{words}: {leaving.Detail}" : words;
    }
}

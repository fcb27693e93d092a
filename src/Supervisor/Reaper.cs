using System.Diagnostics;
using System.Threading.Channels;
using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Supervisor.Room;
using NLog;

namespace ChatFork.Supervisor;

/// <summary>
/// The one place where worker exits are seen: ChatFork's <c>SIGCHLD</c> handler plus <c>waitpid(-1, WNOHANG)</c>
/// loop (PostgreSQL: <c>process_pm_child_exit</c>). .NET's <see cref="Process"/> already calls <c>waitpid</c> for
/// the children it started (so we must never call it ourselves: we would steal its status); its Exited event feeds a
/// channel, and this loop, alone, accounts for each exit: records the code or signal and the run time, frees the
/// slot, disposes the Process (on Windows an unclosed process handle is what keeps a zombie's record alive), tells
/// the room, logs one line, and lets the launcher refill the pool.
/// </summary>
internal sealed class Reaper
{
    private static readonly Logger s_log = LogManager.GetLogger("reaper");

    private readonly Channel<WorkerSlot> _exits = Channel.CreateUnbounded<WorkerSlot>(new UnboundedChannelOptions { SingleReader = true });
    private readonly WorkerRegistry _registry;
    private readonly IProcessPlatform _platform;

    public Reaper(WorkerRegistry registry, IProcessPlatform platform)
    {
        _registry = registry;
        _platform = platform;
    }

    public ChatRoom? Room { get; set; }

    public WorkerLauncher? Launcher { get; set; }

    /// <summary>Starts watching a just-started worker (an exit that happened already is still reported).</summary>
    public void Watch(WorkerSlot slot)
    {
        slot.Process.Exited += (_, _) => _exits.Writer.TryWrite(slot);
        slot.Process.EnableRaisingEvents = true;
    }

    public async Task RunAsync()
    {
        await foreach (var slot in _exits.Reader.ReadAllAsync())
        {
            try
            {
                // The worker's last frames (Leaving: why its client left) may still be in the pipe when the exit is
                // reported. Its read loop ends at the pipe's EOF, which the exit causes: wait for it, briefly.
                if (slot.Channel?.Completion is { IsCompleted: false } reading)
                {
                    await reading.WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(_ => { }, TaskScheduler.Default);
                }

                Reap(slot);
            }
            catch (Exception e)
            {
                s_log.Error(e, $"could not account for the exit of worker {slot.ProcessId}");
            }
        }
    }

    public void Complete() => _exits.Writer.TryComplete();

    private void Reap(WorkerSlot slot)
    {
        var exitCode = slot.Process.ExitCode;
        var ran = Stopwatch.GetElapsedTime(slot.StartedTimestamp);
        var how = _platform.DescribeExit(exitCode);
        var state = _registry.Remove(slot);
        if (state == WorkerState.Exited)
        {
            s_log.Warn($"worker {slot.ProcessId} was reported as exited twice; the second report is ignored");
            return;
        }

        slot.Dispose();

        var what = slot.Connection is { } c
            ? $"serving {c.PeerText} (connection {c.Id})"
            : state == WorkerState.Starting ? "before it attached" : "while idle in the pool";
        var leaving = slot.Leaving is { } l ? $"; client session: {LeaveReasons.Describe(l.Reason)} ({l.Detail})" : "";
        var killed = slot.KillReason is { } k ? $"; the supervisor killed it: {k}" : "";
        var unexpected = _platform.SignalOf(exitCode) is not null || exitCode != 0;
        var level = unexpected && slot.KillReason is null && !_registry.IsShuttingDown ? LogLevel.Warn : LogLevel.Info;
        s_log.Log(level, $"worker {slot.ProcessId} {how} after {ran.TotalSeconds:0.000} s, {what}{leaving}{killed}");
        s_log.Info($"reaped worker {slot.ProcessId}: slot #{slot.WorkerId} is free, {_registry.ProcessCount} workers remain");

        if (!_registry.IsShuttingDown)
        {
            // A worker that dies before it attaches, or breaks the rules, says the next one may do the same: back off
            // rather than respawn at full speed.
            if (slot.Misbehaved)
            {
                Launcher?.ReportFailure($"worker {slot.ProcessId} was killed because {slot.KillReason}");
            }
            else if (state == WorkerState.Starting && slot.KillReason is null)
            {
                Launcher?.ReportFailure($"worker {slot.ProcessId} {how} before it attached");
            }
        }

        if (slot.Joined)
        {
            Room?.PostReliably(new RoomEvent(RoomEventKind.Left, slot, Text: RoomWords(slot, how)));
        }

        Launcher?.Nudge();
    }

    // What the room reads: "quit: see you; worker 4242 exited with code 0", "worker 4242 killed by SIGKILL".
    private static string RoomWords(WorkerSlot slot, string how)
    {
        var parts = new List<string>(3);
        if (slot.Leaving is { } leaving)
        {
            var words = LeaveReasons.Describe(leaving.Reason);
            parts.Add(leaving.Reason == LeaveReason.Quit && leaving.Detail.Length > 0 ? $"{words}: {leaving.Detail}" : words);
        }

        if (slot.KillReason is { } reason)
        {
            parts.Add($"dropped: {reason}");
        }

        parts.Add($"worker {slot.ProcessId} {how}");
        return string.Join("; ", parts);
    }
}

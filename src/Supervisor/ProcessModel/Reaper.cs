using System.Diagnostics;
using System.Threading.Channels;
using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Supervisor.Logging;
using NLog;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// The one place where worker exits are seen: ChatFork's <c>SIGCHLD</c> handler plus <c>waitpid(-1, WNOHANG)</c>
/// loop (PostgreSQL: <c>process_pm_child_exit</c>). .NET's <see cref="Process"/> already calls <c>waitpid</c> for
/// the children it started (so we must never call it ourselves: we would steal its status); each exit feeds a
/// channel, and this loop, alone, accounts for it: records the code or signal and the run time, frees the slot,
/// disposes the process (on Windows an unclosed process handle is what keeps a zombie's record alive), logs one
/// line, and raises <see cref="Reaped"/>, to which the server reacts (back-off, the room, the pool). On Unix the exits
/// are noticed by the <see cref="ExitWatcher"/>'s one thread, not by <see cref="Process.Exited"/> (a thread per 63
/// workers; see there why).
/// </summary>
internal sealed class Reaper
{
    private static readonly Logger s_log = LogManager.GetLogger("reaper");

    private readonly Channel<WorkerSlot> _exits = Channel.CreateUnbounded<WorkerSlot>(new UnboundedChannelOptions { SingleReader = true });
    private readonly WorkerRegistry _registry;
    private readonly ExitWatcher _watcher;

    public Reaper(WorkerRegistry registry, ExitWatcher watcher)
    {
        _registry = registry;
        _watcher = watcher;
    }

    /// <summary>Raised on the reaper's loop, once per worker, after its slot is free.</summary>
    public event Action<WorkerExit>? Reaped;

    /// <summary>Starts watching a just-started worker (an exit that happened already is still reported).</summary>
    public void Watch(WorkerSlot slot)
    {
        if (slot.Process.PreferPolling)
        {
            _watcher.Watch(slot.Process, () => _exits.Writer.TryWrite(slot));
            // Its pipe's end is the first sign of its exit: ask about it often from then on.
            slot.PipeClosed.ContinueWith(_ => _watcher.Suspect(slot.Process), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else
        {
            slot.Process.OnExit(() => _exits.Writer.TryWrite(slot));
        }
    }

    public async Task RunAsync()
    {
        await foreach (var slot in _exits.Reader.ReadAllAsync())
        {
            try
            {
                // The worker's last frames (Leaving: why its client left) may still be in the pipe when the exit is
                // reported. Its read loop ends at the pipe's EOF, which the exit causes: wait for it, briefly.
                if (slot.Life.State != WorkerState.Starting && !slot.PipeClosed.IsCompleted)
                {
                    await slot.PipeClosed.WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(_ => { }, TaskScheduler.Default);
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
        var how = ExitStatus.Describe(exitCode);
        var state = _registry.Remove(slot);
        if (state == WorkerState.Exited)
        {
            s_log.Warn($"worker {slot.ProcessId} was reported as exited twice; the second report is ignored");
            return;
        }

        slot.Dispose();

        var life = slot.Life;
        var what = life.Connection is { } c
            ? $"serving {c.PeerText} (connection {c.Id})"
            : state == WorkerState.Starting ? "before it attached"
            : state == WorkerState.Retiring ? $"retiring after {life.Uses} clients (--worker-reuse)"
            : life.Uses > 0 ? $"while idle in the pool after {life.Uses} clients" : "while idle in the pool";
        var leaving = life.Leaving is { } l ? $"; client session: {LeaveReasons.Describe(l.Reason)} ({l.Detail})" : "";
        var killed = life.KillReason is { } k ? $"; the supervisor killed it: {k}" : "";
        var level = ExitStatus.IsUnexpected(exitCode) && life.KillReason is null && !_registry.IsShuttingDown ? LogLevel.Warn : LogLevel.Info;
        s_log.Event(level, LogEvents.WorkerExited, $"worker {slot.ProcessId} {how} after {ran.TotalSeconds:0.000} s, {what}{leaving}{killed}");
        s_log.Event(LogLevel.Info, LogEvents.WorkerReaped, $"reaped worker {slot.ProcessId}: slot #{slot.WorkerId} is free, {_registry.ProcessCount} workers remain");

        Reaped?.Invoke(new WorkerExit(slot, state, exitCode, how, ran));
    }
}

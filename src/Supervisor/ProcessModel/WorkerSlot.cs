using System.Diagnostics;
using System.IO.Pipes;
using ChatFork.Platform;
using ChatFork.Supervisor.Room;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// The supervisor's record of one worker process (PostgreSQL calls its counterpart a child slot, pmchild.c): what
/// does not change (the process, its pipe, the secret it must present, when it started) and the two parts that do,
/// each with its one owner: <see cref="Life"/>, the state machine, and <see cref="Outbox"/>, the bounded queue
/// toward the worker, which is what the room sees of it. The reaper disposes the slot after the process exited.
/// </summary>
internal sealed class WorkerSlot : IDisposable
{
    private readonly TaskCompletionSource _pipeClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile WorkerSession _session;

    public WorkerSlot(long id, IWorkerProcess process, WorkerPipeServer pipe, string pipeName, byte[] secret, int outboxLimit, RoomFlow flow)
    {
        WorkerId = id;
        Process = process;
        ProcessId = process.Id;
        PipeServer = pipe;
        PipeName = pipeName;
        Secret = secret;
        StartedTimestamp = Stopwatch.GetTimestamp();
        StartedAt = DateTimeOffset.Now;
        Outbox = new WorkerOutbox(this, outboxLimit, flow);
        _session = new WorkerSession(this, null);
    }

    /// <summary>The worker's number, counted from 1; its pipe is named after it.</summary>
    public long WorkerId { get; }

    public int ProcessId { get; }

    public IWorkerProcess Process { get; }

    /// <summary>The supervisor's end of the worker's pipe, which <see cref="WorkerAttach"/> connects.</summary>
    public WorkerPipeServer PipeServer { get; }

    /// <summary>The connected pipe (it throws InvalidOperationException before the worker connected).</summary>
    public PipeStream Pipe => PipeServer.Stream;

    /// <summary>The pipe's name (on Unix, the path of its socket).</summary>
    public string PipeName { get; }

    public byte[] Secret { get; }

    public long StartedTimestamp { get; }

    public DateTimeOffset StartedAt { get; }

    public WorkerLifecycle Life { get; } = new();

    public WorkerOutbox Outbox { get; }

    /// <summary>The room member this worker's client is (its latest client's, with --worker-reuse), writing to its outbox.</summary>
    public IRoomMember Member => _session;

    /// <summary>The registry gives it <paramref name="connection"/> (under its lock): a new session, a new room member.</summary>
    public void Assign(PendingConnection connection)
    {
        Life.Assign(connection);
        _session = new WorkerSession(this, connection);
    }

    /// <summary>Completes when the supervisor has read the worker's last frame (its pipe closed), or never attached.</summary>
    public Task PipeClosed => _pipeClosed.Task;

    /// <summary>The pipe reader ended (or never ran): the worker's last words, if any, are in.</summary>
    public void MarkPipeClosed() => _pipeClosed.TrySetResult();

    /// <summary>SIGKILL (TerminateProcess on Windows), recording why (the first reason wins); the reaper reports it.</summary>
    public void Kill(string reason, bool misbehaved = false)
    {
        Life.Killed(reason, misbehaved);
        Process.Kill();
    }

    public void Dispose()
    {
        Outbox.Close();
        PipeServer.Dispose();
        Process.Dispose();
    }
}

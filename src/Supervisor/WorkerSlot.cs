using System.Diagnostics;
using System.IO.Pipes;
using ChatFork.Protocol;
using ChatFork.Supervisor.Room;

namespace ChatFork.Supervisor;

/// <summary>
/// The supervisor's record of one worker process (PostgreSQL calls its counterpart a child slot, pmchild.c): the
/// <see cref="System.Diagnostics.Process"/>, the pipe, the secret it must present, the connection it serves, and
/// what it said or was told before it exited. The registry changes <see cref="State"/> under its lock; the reaper
/// disposes the slot after the process has exited.
/// </summary>
internal sealed class WorkerSlot : IRoomMember, IDisposable
{
    private string? _killReason;

    public WorkerSlot(long id, Process process, NamedPipeServerStream pipe, string pipeName, byte[] secret)
    {
        PipeName = pipeName;
        WorkerId = id;
        Process = process;
        ProcessId = process.Id;
        Pipe = pipe;
        Secret = secret;
        StartedTimestamp = Stopwatch.GetTimestamp();
        StartedAt = DateTimeOffset.Now;
    }

    /// <summary>The worker's number, counted from 1; its pipe is named after it.</summary>
    public long WorkerId { get; }

    public int ProcessId { get; }

    public Process Process { get; }

    public NamedPipeServerStream Pipe { get; }

    /// <summary>The pipe's name (on Unix, the path of its socket).</summary>
    public string PipeName { get; }

    public byte[] Secret { get; }

    public long StartedTimestamp { get; }

    public DateTimeOffset StartedAt { get; }

    public WorkerState State { get; set; } = WorkerState.Starting;

    /// <summary>Set once the pipe is attached and the hello checked.</summary>
    public WorkerChannel? Channel { get; set; }

    /// <summary>The connection handed to this worker, once there is one.</summary>
    public PendingConnection? Connection { get; set; }

    /// <summary>True once the worker said Ready and the room took it in.</summary>
    public bool Joined { get; set; }

    /// <summary>What the worker said in its Leaving frame, if it said anything before it exited.</summary>
    public LeavingMessage? Leaving { get; set; }

    /// <summary>Why the supervisor killed this worker, if it did.</summary>
    public string? KillReason => Volatile.Read(ref _killReason);

    string IRoomMember.PeerEndPoint => Connection?.PeerText ?? "-";

    string IRoomMember.ServedBy => $"worker process {ProcessId} (supervisor {Environment.ProcessId})";

    string IRoomMember.ServedByShort => $"worker {ProcessId}";

    long IRoomMember.Id => Connection?.Id ?? 0;

    /// <summary>True when the supervisor killed it for breaking the rules (the launcher backs off before the next).</summary>
    public bool Misbehaved { get; private set; }

    /// <summary>SIGKILL (TerminateProcess on Windows), once, recording why; the reaper reports it.</summary>
    public void Kill(string reason, bool misbehaved = false)
    {
        if (Interlocked.CompareExchange(ref _killReason, reason, null) is null)
        {
            Misbehaved = misbehaved;
        }

        try
        {
            Process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Exited already.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exiting right now.
        }
    }

    public bool Deliver(long sequence, ReadOnlySpan<byte> utf8Line) => Channel?.EnqueueLine(sequence, utf8Line) ?? false;

    public void Flush() => Channel?.Flush();

    public void Drop(string reason) => Kill(reason);

    public void Dispose()
    {
        Channel?.Close();
        Pipe.Dispose();
        Process.Dispose();
    }
}

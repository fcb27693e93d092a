using System.Diagnostics;
using System.IO.Pipes;
using System.Net.Sockets;
using ChatFork.Protocol;

namespace ChatFork.Platform;

/// <summary>
/// Everything ChatFork does differently on Unix and on Windows, in one small seam:
/// <list type="bullet">
/// <item>moving a socket into another process (<c>SCM_RIGHTS</c> over the worker's pipe on Unix;
///   <c>WSADuplicateSocket</c> through <c>Socket.DuplicateAndClose</c> on Windows),</item>
/// <item>tying a worker's life to the supervisor's (<c>PR_SET_PDEATHSIG</c> on Linux; a kill-on-close Job object
///   on Windows),</item>
/// <item>who is at the other end of a pipe, how an exit code reads, how much memory a process holds.</item>
/// </list>
/// </summary>
public interface IProcessPlatform
{
    /// <summary>A short name for logs: "unix (SCM_RIGHTS)" or "windows (WSADuplicateSocket)".</summary>
    string Name { get; }

    /// <summary>
    /// Supervisor side: sends <paramref name="message"/> to the worker at the other end of <paramref name="pipe"/>
    /// together with <paramref name="client"/> itself, then closes the supervisor's copy of the socket, whatever
    /// happens. Nothing else may write to the pipe meanwhile.
    /// </summary>
    void HandOff(PipeStream pipe, Socket client, int workerProcessId, HandoffMessage message);

    /// <summary>
    /// Worker side: reads the pipe until the <see cref="FrameType.Handoff"/> frame and returns the socket that came
    /// with it, owned by this process alone. Bytes after that frame stay in <paramref name="decoder"/>. Returns null
    /// if the supervisor sent <see cref="FrameType.Shutdown"/> instead (an idle worker told to go).
    /// </summary>
    Socket? TakeSocket(PipeStream pipe, FrameDecoder decoder, out HandoffMessage? message);

    /// <summary>Worker side: arrange to hear of the supervisor's death, and fail if it is already dead.</summary>
    void BindToParent(int supervisorProcessId);

    /// <summary>
    /// Supervisor side, once at start: make sure handles this process inherited from whoever started it cannot pass
    /// on into workers. Returns how many were changed.
    /// </summary>
    int ProtectInheritedHandles();

    /// <summary>Supervisor side: make a just-started worker die with the supervisor (no-op where the child does it).</summary>
    void AdoptWorker(Process worker);

    /// <summary>The pid of the process at the other end of a connected pipe, if the OS tells.</summary>
    int? GetPipePeerProcessId(PipeStream pipe);

    /// <summary>How an exit code reads: "exited with code 0", "killed by SIGKILL".</summary>
    string DescribeExit(int exitCode);

    /// <summary>The signal that ended the process, if the exit code says one did (Unix).</summary>
    int? SignalOf(int exitCode);

    /// <summary>The OS's id of the calling thread (what <c>ps -L</c> and Task Manager show), for the thread model.</summary>
    int CurrentThreadId();

    /// <summary>The memory a process holds, or null if it is gone or unreadable.</summary>
    ProcessMemory? ReadMemory(int processId);
}

using System.Diagnostics;
using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Windows;
using ChatFork.Protocol;

namespace ChatFork.Platform;

/// <summary>
/// Windows. UNTESTED: this code is compiled on every build but has never run; ChatFork's tests run on Linux.
/// <para>
/// The socket moves the way PostgreSQL's postmaster moves it (launch_backend.c, <c>WSADuplicateSocket</c>):
/// <c>Socket.DuplicateAndClose(workerPid)</c> produces a <c>WSAPROTOCOL_INFOW</c> for the worker's pid and closes
/// the supervisor's socket; the bytes go to the worker as an ordinary frame and <c>new Socket(SocketInformation)</c>
/// rebuilds the socket there. The supervisor must not have started any asynchronous operation on the socket before
/// (that would bind it to the supervisor's I/O completion port), which is why the accept loop accepts synchronously
/// and never touches a client socket after accepting it.
/// </para>
/// <para>
/// Workers are put in a Job object with <c>JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE</c>: when the supervisor exits, by any
/// means, the kernel closes the job handle and kills every worker in it.
/// </para>
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsProcessPlatform : IProcessPlatform
{
    private const int StatusControlCExit = unchecked((int)0xC000013A);
    private const int StatusAccessViolation = unchecked((int)0xC0000005);
    private const int StatusStackOverflow = unchecked((int)0xC00000FD);

    private readonly Lazy<SafeJobHandle> _job = new(CreateKillOnCloseJob);

    public string Name => "windows (WSADuplicateSocket)";

    public void HandOff(PipeStream pipe, Socket client, int workerProcessId, HandoffMessage message)
    {
        try
        {
            var information = client.DuplicateAndClose(workerProcessId);
            var frame = new FrameBuffer(1024);
            (message with
            {
                SocketOptions = (int)information.Options,
                DuplicatedSocket = information.ProtocolInformation,
            }).WriteTo(frame);
            pipe.Write(frame.WrittenSpan);
            pipe.Flush();
        }
        finally
        {
            client.Dispose();
        }
    }

    public Socket? TakeSocket(PipeStream pipe, FrameDecoder decoder, out HandoffMessage? message)
    {
        while (true)
        {
            if (decoder.TryReadFrame(out var frame))
            {
                if (frame.Type == FrameType.Shutdown)
                {
                    message = null;
                    return null;
                }

                if (frame.Type != FrameType.Handoff)
                {
                    throw new ProtocolException($"The supervisor sent {frame.Type} before handing over a connection.");
                }

                message = HandoffMessage.Read(frame);
                if (message.DuplicatedSocket is null)
                {
                    throw new ProtocolException("The hand-off frame carries no duplicated socket information.");
                }

                var information = new SocketInformation
                {
                    ProtocolInformation = message.DuplicatedSocket,
                    Options = (SocketInformationOptions)message.SocketOptions,
                };
                return new Socket(information);
            }

            var buffer = decoder.GetReadBuffer();
            var received = pipe.Read(buffer.Span);
            if (received == 0)
            {
                throw new ChatForkException("The supervisor closed the pipe before handing over a connection.");
            }

            decoder.Advance(received);
        }
    }

    public void BindToParent(int supervisorProcessId)
    {
        // The Job object the supervisor put us in does the work; here we only check the supervisor is alive.
        try
        {
            using var parent = Process.GetProcessById(supervisorProcessId);
        }
        catch (ArgumentException e)
        {
            throw new ChatForkException($"The supervisor (pid {supervisorProcessId}) is gone.", e);
        }
    }

    // Not done on Windows: Process.Start passes bInheritHandles=TRUE to CreateProcess when it redirects standard
    // input, so every inheritable handle of the supervisor reaches the worker. .NET creates its own handles
    // non-inheritable; handles inherited from the parent are the gap, and it is left open here (UNTESTED platform).
    public int ProtectInheritedHandles() => 0;

    // Known gap: Process.Start cannot create the child suspended, so the worker runs for a moment before it is in
    // the job; if the supervisor died in that moment the worker would be left (it still exits on pipe EOF).
    public void AdoptWorker(Process worker)
    {
        if (!Kernel32.AssignProcessToJobObject(_job.Value, worker.Handle))
        {
            var error = Marshal.GetLastPInvokeError();
            throw new ChatForkException($"Could not put worker {worker.Id} in the supervisor's job object: {Marshal.GetPInvokeErrorMessage(error)}.");
        }
    }

    public int? GetPipePeerProcessId(PipeStream pipe) =>
        pipe is NamedPipeServerStream && Kernel32.GetNamedPipeClientProcessId(pipe.SafePipeHandle, out var pid) ? (int)pid : null;

    public int? SignalOf(int exitCode) => null;

    public string DescribeExit(int exitCode) => exitCode switch
    {
        -1 => "was terminated (TerminateProcess)",
        StatusControlCExit => "was interrupted (Ctrl+C)",
        StatusAccessViolation => "crashed (access violation, 0xC0000005)",
        StatusStackOverflow => "crashed (stack overflow, 0xC00000FD)",
        < 0 => $"crashed (status 0x{exitCode:X8})",
        _ => $"exited with code {exitCode}",
    };

    public int CurrentThreadId() => (int)Kernel32.GetCurrentThreadId();

    public ProcessMemory? ReadMemory(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return new ProcessMemory(process.PrivateMemorySize64, "private");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private static unsafe SafeJobHandle CreateKillOnCloseJob()
    {
        var job = Kernel32.CreateJobObject(0, null);
        if (job.IsInvalid)
        {
            throw new ChatForkException($"Could not create a job object: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        }

        var limits = new Kernel32.JOBOBJECT_EXTENDED_LIMIT_INFORMATION();
        limits.BasicLimitInformation.LimitFlags = Kernel32.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        if (!Kernel32.SetInformationJobObject(job, Kernel32.JobObjectExtendedLimitInformation, &limits, (uint)sizeof(Kernel32.JOBOBJECT_EXTENDED_LIMIT_INFORMATION)))
        {
            var error = Marshal.GetLastPInvokeError();
            job.Dispose();
            throw new ChatForkException($"Could not make the job object kill its processes on close: {Marshal.GetPInvokeErrorMessage(error)}.");
        }

        return job;
    }
}

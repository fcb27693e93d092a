using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Unix;
using ChatFork.Protocol;

namespace ChatFork.Platform;

/// <summary>
/// Linux (the platform ChatFork is tested on). The socket moves with <c>SCM_RIGHTS</c> over the worker's named pipe,
/// which .NET implements as a Unix domain socket; a worker learns of the supervisor's death by
/// <c>PR_SET_PDEATHSIG</c> and by end-of-file on its pipe. Other Unix systems would need their own <c>msghdr</c>
/// layout and have no <c>prctl</c>; this class says so rather than guess.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class UnixProcessPlatform : IProcessPlatform
{
    private const int HandOffTimeoutMilliseconds = 5000;

    public string Name => "unix (SCM_RIGHTS)";

    public void HandOff(PipeStream pipe, Socket client, int workerProcessId, HandoffMessage message)
    {
        try
        {
            EnsureLinux("pass a socket with SCM_RIGHTS");
            var frame = new FrameBuffer(256);
            message.WriteTo(frame);
            ScmRights.Send(pipe.SafePipeHandle, client.SafeHandle, frame.WrittenSpan, HandOffTimeoutMilliseconds);
        }
        finally
        {
            // The worker holds its own descriptor now (or the send failed and the client is lost either way);
            // the supervisor's copy must go, or the client would not see EOF when the worker closes.
            client.Dispose();
        }
    }

    public Socket? TakeSocket(PipeStream pipe, FrameDecoder decoder, out HandoffMessage? message)
    {
        EnsureLinux("receive a socket with SCM_RIGHTS");
        var fd = -1;
        try
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
                    if (fd < 0)
                    {
                        throw new ProtocolException("The hand-off frame arrived without a socket descriptor.");
                    }

                    var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
                    fd = -1;
                    return socket;
                }

                var received = ScmRights.Receive(pipe.SafePipeHandle, decoder.GetReadBuffer().Span, ref fd);
                if (received == 0)
                {
                    throw new ChatForkException("The supervisor closed the pipe before handing over a connection.");
                }

                decoder.Advance(received);
            }
        }
        finally
        {
            if (fd >= 0)
            {
                Libc.Close(fd);
            }
        }
    }

    public void BindToParent(int supervisorProcessId)
    {
        if (OperatingSystem.IsLinux())
        {
            // SIGHUP, not SIGKILL: the worker catches it and tells its client "* server went away" before it exits.
            if (Libc.Prctl(Libc.PR_SET_PDEATHSIG, UnixSignals.SIGHUP, 0, 0, 0) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new ChatForkException($"prctl(PR_SET_PDEATHSIG) failed: {Marshal.GetPInvokeErrorMessage(errno)}.");
            }
        }

        // The supervisor may have died before prctl took effect; then we were reparented already.
        var parent = Libc.GetParentProcessId();
        if (parent != supervisorProcessId)
        {
            throw new ChatForkException($"The supervisor (pid {supervisorProcessId}) is gone; this worker's parent is now pid {parent}.");
        }
    }

    // .NET opens every descriptor of its own close-on-exec, but a descriptor this process inherited without that flag
    // (a shell's, a test runner's) would be inherited again by every worker. Flag them all; stdin, stdout and stderr
    // stay inheritable on purpose (workers write their last words to the supervisor's stderr).
    public int ProtectInheritedHandles()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        var changed = 0;
        foreach (var entry in Directory.GetFileSystemEntries("/proc/self/fd"))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var fd) || fd < 3)
            {
                continue;
            }

            var flags = Libc.Fcntl(fd, Libc.F_GETFD, 0);
            if (flags >= 0 && (flags & Libc.FD_CLOEXEC) == 0 && Libc.Fcntl(fd, Libc.F_SETFD, flags | Libc.FD_CLOEXEC) == 0)
            {
                changed++;
            }
        }

        return changed;
    }

    public void AdoptWorker(Process worker)
    {
        // Nothing to do: the worker asks for PR_SET_PDEATHSIG itself, and watches its pipe.
    }

    public unsafe int? GetPipePeerProcessId(PipeStream pipe)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var handle = pipe.SafePipeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            Libc.UCred credentials;
            var length = (uint)sizeof(Libc.UCred);
            var result = Libc.GetSockOpt((int)handle.DangerousGetHandle(), Libc.SOL_SOCKET, Libc.SO_PEERCRED, &credentials, &length);
            return result == 0 ? credentials.ProcessId : null;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    // .NET reports a child killed by signal N as exit code 128 + N. ChatFork's own workers only exit with small codes,
    // so a code above 128 here always means a signal.
    public int? SignalOf(int exitCode) => exitCode is > 128 and < 128 + 65 ? exitCode - 128 : null;

    public string DescribeExit(int exitCode) =>
        SignalOf(exitCode) is { } signal
            ? $"killed by {UnixSignals.Name(signal)}"
            : $"exited with code {exitCode}";

    public int CurrentThreadId() => OperatingSystem.IsLinux() ? Libc.GetThreadId() : Environment.CurrentManagedThreadId;

    public ProcessMemory? ReadMemory(int processId)
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                foreach (var line in File.ReadLines($"/proc/{processId}/smaps_rollup"))
                {
                    if (line.StartsWith("Pss:", StringComparison.Ordinal))
                    {
                        var kb = long.Parse(line.AsSpan(4).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                        return new ProcessMemory(kb * 1024, "Pss");
                    }
                }
            }

            using var process = Process.GetProcessById(processId);
            return new ProcessMemory(process.WorkingSet64, "RSS");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static void EnsureLinux(string doing)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(
                $"ChatFork can {doing} only on Linux so far: other Unix systems lay out struct msghdr differently.");
        }
    }
}

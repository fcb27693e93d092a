using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Unix;

namespace ChatFork.Platform;

/// <summary>
/// Linux: workers are started with .NET's fork/exec (vfork + execve), and each worker ties itself to the supervisor
/// with <c>PR_SET_PDEATHSIG</c>, plus end-of-file on its pipe.
/// </summary>
/// <remarks>
/// <c>PR_SET_PDEATHSIG</c> fires when the <em>thread</em> that forked the child exits, not the process: the launcher
/// therefore starts workers from long-lived threads only (see WorkerLauncher).
/// </remarks>
[UnsupportedOSPlatform("windows")]
internal sealed class UnixProcessLifetime : IProcessLifetime
{
    public IWorkerProcess Start(WorkerCommand command)
    {
        var process = DotnetChildProcess.Start(command);
        process.GiveInput(command.StandardInput);
        return process;
    }

    public IDisposable BindToParent(int supervisorProcessId, Action onSupervisorGone)
    {
        // SIGHUP, not SIGKILL: the worker catches it and tells its client "* server went away" before it exits.
        var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            onSupervisorGone();
        });
        if (OperatingSystem.IsLinux() && Libc.Prctl(Libc.PR_SET_PDEATHSIG, UnixSignals.SIGHUP, 0, 0, 0) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            hangup.Dispose();
            throw new ChatForkException($"prctl(PR_SET_PDEATHSIG) failed: {Marshal.GetPInvokeErrorMessage(errno)}.");
        }

        // The supervisor may have died before prctl took effect; then we were reparented already.
        var parent = Libc.GetParentProcessId();
        if (parent != supervisorProcessId)
        {
            hangup.Dispose();
            throw new ChatForkException($"The supervisor (pid {supervisorProcessId}) is gone; this worker's parent is now pid {parent}.");
        }

        return hangup;
    }
}

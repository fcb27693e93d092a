using System.Runtime.Versioning;

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
}

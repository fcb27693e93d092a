using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Windows;

namespace ChatFork.Platform;

/// <summary>
/// Windows: workers are started the way PostgreSQL's postmaster starts a backend (<see cref="WindowsChildProcess"/>:
/// <c>CreateProcessW</c> suspended, inheriting only its standard input, put in the Job, then resumed). The Job has
/// <c>JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE</c>: when the supervisor exits, by any means, the kernel closes the job
/// handle and kills every worker in it.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsProcessLifetime : IProcessLifetime
{
    private readonly Lazy<SafeJobHandle> _job = new(CreateKillOnCloseJob);

    public IWorkerProcess Start(WorkerCommand command)
    {
        try
        {
            return WindowsChildProcess.Start(command.Path, command.Arguments, command.StandardInput, _job.Value);
        }
        catch (Win32Exception e)
        {
            throw new ChatForkException($"could not start {command.Path}: {e.Message}", e);
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

using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Windows;
using Microsoft.Win32.SafeHandles;

namespace ChatFork.Platform;

/// <summary>
/// A worker process started the way PostgreSQL's postmaster starts a backend on Windows (launch_backend.c,
/// <c>internal_forkexec</c>), and watched the way it watches one (<c>pgwin32_deadchild_callback</c>):
/// <list type="number">
/// <item><c>CreateProcessW</c> with <c>CREATE_SUSPENDED</c>: the worker exists but runs no code yet;</item>
/// <item>with <c>STARTUPINFOEX</c> and <c>PROC_THREAD_ATTRIBUTE_HANDLE_LIST</c> naming the one handle it may
///   inherit, the read end of its standard input pipe. <c>bInheritHandles</c> must be TRUE for that pipe to pass,
///   and without the list every inheritable handle of the supervisor would pass with it (an accepted socket is
///   inheritable under Wine; a handle the supervisor itself inherited may be anywhere). This is Unix's
///   close-on-exec, said the other way round: not "these do not pass" but "only these pass";</item>
/// <item><c>AssignProcessToJobObject</c> into the supervisor's kill-on-close Job, then <c>ResumeThread</c>: the
///   worker's first instruction runs inside the Job, so no moment exists in which the supervisor could die and leave
///   a running worker behind (<c>Process.Start</c> cannot start a process suspended);</item>
/// <item>its exit is seen by a wait on the process handle (<c>RegisterWaitForSingleObject</c>, as PostgreSQL does),
///   and the exit code read with <c>GetExitCodeProcess</c>: Windows' SIGCHLD and waitpid.</item>
/// </list>
/// Standard output and error are not given: the worker writes its log up its pipe, and a worker that dies before
/// its pipe is up is reported by the reaper with its exit code. The one gap left is the instant between
/// <c>CreateProcessW</c> and <c>AssignProcessToJobObject</c>: a supervisor killed exactly then leaves a worker that
/// stays suspended, running nothing, holding nothing of any client's.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed unsafe class WindowsChildProcess : IWorkerProcess
{
    private readonly SafeProcessHandle _handle;
    private readonly ProcessExitWaitHandle _exit;
    private RegisteredWaitHandle? _watch;

    private WindowsChildProcess(SafeProcessHandle handle, int id)
    {
        _handle = handle;
        Id = id;
        _exit = new ProcessExitWaitHandle(handle);
    }

    public int Id { get; }

    public bool HasExited => _exit.WaitOne(0);

    /// <summary>The exit code (an NTSTATUS such as 0xC0000005 for a crash); only meaningful once it has exited.</summary>
    public int ExitCode
    {
        get
        {
            if (!Kernel32.GetExitCodeProcess(_handle, out var code))
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), $"Could not read the exit code of worker {Id}.");
            }

            return unchecked((int)code);
        }
    }

    /// <summary>
    /// Starts <paramref name="path"/> suspended with only a pipe for standard input, puts it in
    /// <paramref name="job"/>, writes <paramref name="standardInput"/> to that pipe and closes it, and resumes it.
    /// Throws <see cref="Win32Exception"/> if it cannot be started (nothing is left running then).
    /// </summary>
    public static WindowsChildProcess Start(string path, IEnumerable<string> arguments, ReadOnlySpan<byte> standardInput, SafeJobHandle job)
    {
        var noInherit = new Kernel32.SECURITY_ATTRIBUTES { nLength = (uint)sizeof(Kernel32.SECURITY_ATTRIBUTES) };
        if (!Kernel32.CreatePipe(out var inputRead, out var inputWrite, noInherit, 0))
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "Could not create the worker's standard input pipe.");
        }

        using (inputWrite)
        {
            SafeProcessHandle process;
            SafeThreadHandle thread;
            int id;
            using (inputRead)
            {
                // Inheritable, but only the worker about to be created inherits it: it alone is on the handle list.
                // (A worker started at the same moment by another launcher thread has a list of its own.)
                if (!Kernel32.SetHandleInformation(inputRead, Kernel32.HANDLE_FLAG_INHERIT, Kernel32.HANDLE_FLAG_INHERIT))
                {
                    throw new Win32Exception(Marshal.GetLastPInvokeError(), "Could not make the worker's standard input inheritable.");
                }

                (process, thread, id) = CreateSuspended(path, arguments, inputRead);
            } // the supervisor's copy of the read end: the worker has its own now

            using (thread)
            {
                try
                {
                    Adopt(process, job, id);

                    // The secret goes into the pipe's buffer before the worker runs; the worker finds it and then EOF.
                    using (var input = new FileStream(inputWrite, FileAccess.Write, bufferSize: 0))
                    {
                        input.Write(standardInput);
                    }

                    if (Kernel32.ResumeThread(thread) == uint.MaxValue)
                    {
                        throw new Win32Exception(Marshal.GetLastPInvokeError(), $"Could not resume worker {id}.");
                    }
                }
                catch
                {
                    Kernel32.TerminateProcess(process, 1);
                    process.Dispose();
                    throw;
                }
            }

            return new WindowsChildProcess(process, id);
        }
    }

    /// <summary>Calls <paramref name="exited"/> once, on a thread-pool thread, when the process has exited (at once if it has).</summary>
    public void OnExit(Action exited)
    {
        _watch = ThreadPool.RegisterWaitForSingleObject(_exit, (_, _) => exited(), null, Timeout.Infinite, executeOnlyOnce: true);
    }

    /// <summary>TerminateProcess with exit code -1, as <c>Process.Kill</c> does; nothing if it has exited already.</summary>
    public void Kill()
    {
        // It fails (ERROR_ACCESS_DENIED) only for a process that has exited or is exiting, which is what was wanted;
        // our handle has PROCESS_ALL_ACCESS, from CreateProcess.
        _ = Kernel32.TerminateProcess(_handle, uint.MaxValue);
    }

    public void Dispose()
    {
        _watch?.Unregister(null);
        _exit.Dispose();
        _handle.Dispose();
    }

    private static (SafeProcessHandle Process, SafeThreadHandle Thread, int Id) CreateSuspended(string path, IEnumerable<string> arguments, SafeFileHandle input)
    {
        nuint size = 0;
        Kernel32.InitializeProcThreadAttributeList(null, 1, 0, &size); // fails by design: it only tells the size
        var attributes = NativeMemory.Alloc(size);
        var added = false;
        try
        {
            if (!Kernel32.InitializeProcThreadAttributeList(attributes, 1, 0, &size))
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), "Could not set up the worker's start-up attributes.");
            }

            try
            {
                input.DangerousAddRef(ref added);
                var inherited = stackalloc nint[1];
                inherited[0] = input.DangerousGetHandle();
                if (!Kernel32.UpdateProcThreadAttribute(attributes, 0, Kernel32.PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
                        inherited, (nuint)sizeof(nint), null, null))
                {
                    throw new Win32Exception(Marshal.GetLastPInvokeError(), "Could not limit the handles the worker inherits.");
                }

                var startup = new Kernel32.STARTUPINFOEXW { lpAttributeList = attributes };
                startup.StartupInfo.cb = (uint)sizeof(Kernel32.STARTUPINFOEXW);
                startup.StartupInfo.dwFlags = Kernel32.STARTF_USESTDHANDLES;
                startup.StartupInfo.hStdInput = inherited[0];

                var commandLine = (WindowsCommandLine.Build(path, arguments) + '\0').ToCharArray();
                Kernel32.PROCESS_INFORMATION information;
                fixed (char* line = commandLine)
                {
                    if (!Kernel32.CreateProcess(path, line, 0, 0, inheritHandles: true,
                            Kernel32.CREATE_SUSPENDED | Kernel32.EXTENDED_STARTUPINFO_PRESENT, 0, null, &startup, &information))
                    {
                        var error = Marshal.GetLastPInvokeError();
                        throw new Win32Exception(error, $"CreateProcess failed for {path}: {Marshal.GetPInvokeErrorMessage(error)}");
                    }
                }

                return (new SafeProcessHandle(information.hProcess, ownsHandle: true), new SafeThreadHandle(information.hThread),
                    (int)information.dwProcessId);
            }
            finally
            {
                Kernel32.DeleteProcThreadAttributeList(attributes);
            }
        }
        finally
        {
            if (added)
            {
                input.DangerousRelease();
            }

            NativeMemory.Free(attributes);
        }
    }

    private static void Adopt(SafeProcessHandle process, SafeJobHandle job, int id)
    {
        var added = false;
        try
        {
            process.DangerousAddRef(ref added);
            if (!Kernel32.AssignProcessToJobObject(job, process.DangerousGetHandle()))
            {
                var error = Marshal.GetLastPInvokeError();
                throw new Win32Exception(error, $"Could not put worker {id} in the supervisor's job object: {Marshal.GetPInvokeErrorMessage(error)}");
            }
        }
        finally
        {
            if (added)
            {
                process.DangerousRelease();
            }
        }
    }

    // A WaitHandle over the process handle, for RegisterWaitForSingleObject; it holds a reference, never ownership.
    private sealed class ProcessExitWaitHandle : WaitHandle
    {
        private readonly SafeProcessHandle _process;
        private bool _added;

        public ProcessExitWaitHandle(SafeProcessHandle process)
        {
            _process = process;
            process.DangerousAddRef(ref _added);
            SafeWaitHandle = new SafeWaitHandle(process.DangerousGetHandle(), ownsHandle: false);
        }

        protected override void Dispose(bool explicitDisposing)
        {
            base.Dispose(explicitDisposing);
            if (_added)
            {
                _added = false;
                _process.DangerousRelease();
            }
        }
    }
}

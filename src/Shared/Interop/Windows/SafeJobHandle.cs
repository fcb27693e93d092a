using Microsoft.Win32.SafeHandles;

namespace ChatFork.Interop.Windows;

/// <summary>
/// A Windows Job object. When the last handle closes (the supervisor exits, however it exits) the kernel kills every
/// process in the job: that is what <c>JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE</c> buys, Windows' PDEATHSIG.
/// </summary>
internal sealed class SafeJobHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeJobHandle() : base(ownsHandle: true) { }

    protected override bool ReleaseHandle() => Kernel32.CloseHandle(handle);
}

using Microsoft.Win32.SafeHandles;

namespace ChatFork.Interop.Windows;

/// <summary>A thread handle from CreateProcess (the new process's first thread, created suspended).</summary>
internal sealed class SafeThreadHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeThreadHandle() : base(ownsHandle: true) { }

    public SafeThreadHandle(nint handle) : base(ownsHandle: true)
    {
        SetHandle(handle);
    }

    protected override bool ReleaseHandle() => Kernel32.CloseHandle(handle);
}

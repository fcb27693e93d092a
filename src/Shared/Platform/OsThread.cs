using ChatFork.Interop.Unix;
using ChatFork.Interop.Windows;

namespace ChatFork.Platform;

/// <summary>The OS's id of the calling thread: what <c>ps -L</c> and Task Manager show (the lab's thread model).</summary>
internal static class OsThread
{
    public static int CurrentId() =>
        OperatingSystem.IsWindows() ? (int)Kernel32.GetCurrentThreadId()
        : OperatingSystem.IsLinux() ? Libc.GetThreadId()
        : Environment.CurrentManagedThreadId;
}

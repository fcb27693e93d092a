using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static partial class Kernel32
{
    /// <summary>Returns the previous suspend count, or 0xFFFFFFFF on failure.</summary>
    [LibraryImport(Libraries.Kernel32, SetLastError = true)]
    internal static partial uint ResumeThread(SafeThreadHandle thread);
}

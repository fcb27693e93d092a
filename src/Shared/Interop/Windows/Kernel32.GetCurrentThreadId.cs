using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static partial class Kernel32
{
    [LibraryImport(Libraries.Kernel32)]
    internal static partial uint GetCurrentThreadId();
}

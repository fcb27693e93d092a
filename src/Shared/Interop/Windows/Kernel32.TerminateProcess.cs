using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ChatFork.Interop.Windows;

internal static partial class Kernel32
{
    [LibraryImport(Libraries.Kernel32, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool TerminateProcess(SafeProcessHandle process, uint exitCode);
}

using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ChatFork.Interop.Windows;

internal static partial class Kernel32
{
    /// <summary>While the process runs, the code reads <see cref="STILL_ACTIVE"/>.</summary>
    internal const uint STILL_ACTIVE = 259;

    [LibraryImport(Libraries.Kernel32, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool GetExitCodeProcess(SafeProcessHandle process, out uint exitCode);
}

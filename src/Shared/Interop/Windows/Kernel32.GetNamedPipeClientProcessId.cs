using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ChatFork.Interop.Windows;

internal static partial class Kernel32
{
    /// <summary>The pid of the process at the client end of a named pipe (the counterpart of SO_PEERCRED).</summary>
    [LibraryImport(Libraries.Kernel32, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool GetNamedPipeClientProcessId(SafePipeHandle pipe, out uint processId);
}

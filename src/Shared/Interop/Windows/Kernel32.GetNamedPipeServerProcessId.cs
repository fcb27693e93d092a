using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static partial class Kernel32
{
    /// <summary>The pid of the process at the server end of a named pipe.</summary>
    [LibraryImport(Libraries.Kernel32, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool GetNamedPipeServerProcessId(nint pipe, out uint processId);
}

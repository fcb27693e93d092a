using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static unsafe partial class Kernel32
{
    /// <summary><c>BOOL CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped)</c>; null: all of this process's I/O on the handle.</summary>
    [LibraryImport(Libraries.Kernel32, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool CancelIoEx(nint file, NativeOverlapped* overlapped);
}

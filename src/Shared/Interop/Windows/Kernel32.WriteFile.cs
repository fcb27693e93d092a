using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static unsafe partial class Kernel32
{
    /// <summary>
    /// <c>BOOL WriteFile(HANDLE, LPCVOID, DWORD nNumberOfBytesToWrite, LPDWORD lpNumberOfBytesWritten, LPOVERLAPPED)</c>,
    /// overlapped, as <see cref="ReadFile"/>.
    /// </summary>
    [LibraryImport(Libraries.Kernel32, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool WriteFile(nint file, byte* buffer, uint bytesToWrite, uint* bytesWritten, NativeOverlapped* overlapped);
}

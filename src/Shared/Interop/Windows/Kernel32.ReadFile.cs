using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static unsafe partial class Kernel32
{
    internal const int ERROR_HANDLE_EOF = 38;
    internal const int ERROR_BROKEN_PIPE = 109;
    internal const int ERROR_PIPE_NOT_CONNECTED = 233;
    internal const int ERROR_IO_INCOMPLETE = 996;
    internal const int ERROR_IO_PENDING = 997;

    /// <summary>
    /// <c>BOOL ReadFile(HANDLE, LPVOID, DWORD nNumberOfBytesToRead, LPDWORD lpNumberOfBytesRead, LPOVERLAPPED)</c>,
    /// overlapped: the count comes from <see cref="GetOverlappedResult"/>, so <paramref name="bytesRead"/> is null.
    /// </summary>
    [LibraryImport(Libraries.Kernel32, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool ReadFile(nint file, byte* buffer, uint bytesToRead, uint* bytesRead, NativeOverlapped* overlapped);
}

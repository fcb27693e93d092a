using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static unsafe partial class Kernel32
{
    /// <summary>What an OVERLAPPED's <c>Internal</c> holds while its I/O is in flight (<c>HasOverlappedIoCompleted</c>).</summary>
    internal const nint STATUS_PENDING = 0x103;

    /// <summary><c>BOOL GetOverlappedResult(HANDLE, LPOVERLAPPED, LPDWORD lpNumberOfBytesTransferred, BOOL bWait)</c></summary>
    [LibraryImport(Libraries.Kernel32, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool GetOverlappedResult(nint file, NativeOverlapped* overlapped, out uint bytesTransferred, [MarshalAs(UnmanagedType.Bool)] bool wait);
}

using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ChatFork.Interop.Windows;

internal static unsafe partial class Kernel32
{
    /// <summary>
    /// <c>BOOL PeekNamedPipe(HANDLE, LPVOID lpBuffer, DWORD, LPDWORD lpBytesRead, LPDWORD lpTotalBytesAvail, LPDWORD)</c>,
    /// used with no buffer, only to learn how many bytes wait in the pipe.
    /// </summary>
    [LibraryImport(Libraries.Kernel32, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool PeekNamedPipe(SafePipeHandle pipe, byte* buffer, uint bufferSize, uint* bytesRead, uint* totalBytesAvailable, uint* bytesLeftThisMessage);
}

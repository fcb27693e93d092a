using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static partial class Kernel32
{
    /// <summary>The right to wait for the process to end.</summary>
    internal const uint SYNCHRONIZE = 0x00100000;

    /// <summary><c>HANDLE OpenProcess(DWORD dwDesiredAccess, BOOL bInheritHandle, DWORD dwProcessId)</c>; 0 on failure.</summary>
    [LibraryImport(Libraries.Kernel32, SetLastError = true)]
    internal static partial nint OpenProcess(uint desiredAccess, int inheritHandle, uint processId);
}

using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static partial class Kernel32
{
    /// <summary><c>DWORD WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds)</c></summary>
    [LibraryImport(Libraries.Kernel32, SetLastError = true)]
    internal static partial uint WaitForSingleObject(nint handle, uint milliseconds);
}

using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static partial class Kernel32
{
    /// <summary>
    /// <c>HANDLE CreateEventW(LPSECURITY_ATTRIBUTES, BOOL bManualReset, BOOL bInitialState, LPCWSTR lpName)</c>, here
    /// always unnamed and not inheritable. Returns 0 on failure.
    /// </summary>
    [LibraryImport(Libraries.Kernel32, SetLastError = true)]
    internal static partial nint CreateEventW(nint attributes, int manualReset, int initialState, nint name);
}

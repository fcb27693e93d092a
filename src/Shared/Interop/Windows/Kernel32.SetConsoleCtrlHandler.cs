using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static partial class Kernel32
{
    /// <summary>
    /// <c>BOOL SetConsoleCtrlHandler(PHANDLER_ROUTINE HandlerRoutine, BOOL Add)</c>; with no routine and TRUE, the
    /// process ignores Ctrl+C (what <c>signal(SIGINT, SIG_IGN)</c> is on Unix), and no handler thread runs for it.
    /// </summary>
    [LibraryImport(Libraries.Kernel32, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool SetConsoleCtrlHandler(nint handlerRoutine, [MarshalAs(UnmanagedType.Bool)] bool add);
}

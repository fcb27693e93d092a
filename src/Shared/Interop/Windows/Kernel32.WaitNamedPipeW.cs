using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static partial class Kernel32
{
    internal const int ERROR_FILE_NOT_FOUND = 2;
    internal const int ERROR_PIPE_BUSY = 231;

    /// <summary><c>BOOL WaitNamedPipeW(LPCWSTR lpNamedPipeName, DWORD nTimeOut)</c>: waits until an instance of the pipe takes a client.</summary>
    [LibraryImport(Libraries.Kernel32, SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool WaitNamedPipeW(string name, uint timeoutMilliseconds);
}

using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static partial class Kernel32
{
    internal const uint GENERIC_READ = 0x80000000;
    internal const uint GENERIC_WRITE = 0x40000000;
    internal const uint OPEN_EXISTING = 3;
    internal const uint FILE_FLAG_OVERLAPPED = 0x40000000;
    /// <summary>With <see cref="SECURITY_IDENTIFICATION"/>: the pipe's server may learn who we are, not act as us.</summary>
    internal const uint SECURITY_SQOS_PRESENT = 0x00100000;
    internal const uint SECURITY_IDENTIFICATION = 1 << 16;

    internal const nint INVALID_HANDLE_VALUE = -1;

    /// <summary>
    /// <c>HANDLE CreateFileW(LPCWSTR, DWORD dwDesiredAccess, DWORD dwShareMode, LPSECURITY_ATTRIBUTES,
    /// DWORD dwCreationDisposition, DWORD dwFlagsAndAttributes, HANDLE hTemplateFile)</c>: here, the client end of a
    /// named pipe.
    /// </summary>
    [LibraryImport(Libraries.Kernel32, SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial nint CreateFileW(string fileName, uint desiredAccess, uint shareMode, nint securityAttributes,
        uint creationDisposition, uint flagsAndAttributes, nint templateFile);
}

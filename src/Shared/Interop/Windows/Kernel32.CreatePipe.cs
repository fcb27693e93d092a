using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ChatFork.Interop.Windows;

internal static partial class Kernel32
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct SECURITY_ATTRIBUTES
    {
        public uint nLength;
        public nint lpSecurityDescriptor;
        public int bInheritHandle;
    }

    /// <summary>An anonymous pipe (both ends not inheritable unless the attributes say so).</summary>
    [LibraryImport(Libraries.Kernel32, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool CreatePipe(out SafeFileHandle readPipe, out SafeFileHandle writePipe, in SECURITY_ATTRIBUTES attributes, uint size);
}

using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static unsafe partial class Kernel32
{
    /// <summary>The only handles a new process inherits (all must be inheritable); the rest of the parent's stay put.</summary>
    internal const nuint PROC_THREAD_ATTRIBUTE_HANDLE_LIST = 0x00020002;

    /// <summary><paramref name="value"/> must stay valid until CreateProcess has returned.</summary>
    [LibraryImport(Libraries.Kernel32, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool UpdateProcThreadAttribute(
        void* attributeList, uint flags, nuint attribute, void* value, nuint size, void* previousValue, nuint* returnSize);
}

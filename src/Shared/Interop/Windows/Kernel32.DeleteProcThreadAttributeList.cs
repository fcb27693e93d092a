using System.Runtime.InteropServices;

namespace ChatFork.Interop.Windows;

internal static unsafe partial class Kernel32
{
    [LibraryImport(Libraries.Kernel32)]
    internal static partial void DeleteProcThreadAttributeList(void* attributeList);
}

using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static partial class Libc
{
    /// <summary><c>int setrlimit(int resource, const struct rlimit *rlim)</c>.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "setrlimit", SetLastError = true)]
    internal static partial int SetRLimit(int resource, in RLimit limit);
}

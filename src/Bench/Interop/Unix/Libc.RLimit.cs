using System.Runtime.InteropServices;

namespace ChatFork.Bench.Interop.Unix;

internal static partial class Libc
{
    internal const int RLIMIT_NOFILE = 7;

    /// <summary><c>int getrlimit(int resource, struct rlimit *rlim)</c>.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "getrlimit", SetLastError = true)]
    internal static partial int GetRLimit(int resource, out RLimit limit);

    /// <summary><c>int setrlimit(int resource, const struct rlimit *rlim)</c>.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "setrlimit", SetLastError = true)]
    internal static partial int SetRLimit(int resource, in RLimit limit);
}

using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static partial class Libc
{
    /// <summary>Linux's resource number for the most descriptors a process may hold open (asm-generic/resource.h).</summary>
    internal const int RLIMIT_NOFILE = 7;

    /// <summary><c>struct rlimit { rlim_t rlim_cur; rlim_t rlim_max; }</c>: rlim_t is an unsigned long (64 bits).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    /// <summary><c>int getrlimit(int resource, struct rlimit *rlim)</c>.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "getrlimit", SetLastError = true)]
    internal static partial int GetRLimit(int resource, out RLimit limit);
}

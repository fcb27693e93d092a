using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static partial class Libc
{
    /// <summary>Ask the kernel for a signal when the parent exits (Linux only).</summary>
    internal const int PR_SET_PDEATHSIG = 1;

    /// <summary>
    /// <c>int prctl(int option, unsigned long arg2, ...)</c>. The C function is variadic; with only integer
    /// arguments the x64 and arm64 Linux calling conventions pass them exactly as for a fixed signature.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "prctl", SetLastError = true)]
    internal static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}

using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static unsafe partial class Libc
{
    /// <summary>The <c>SIG_IGN</c> disposition: <c>(void (*)(int)) 1</c>.</summary>
    internal static readonly nint SIG_IGN = 1;

    /// <summary>
    /// glibc's <c>struct sigaction</c> on x86-64 and arm64 Linux: the handler, a 1024-bit <c>sigset_t</c>,
    /// <c>int sa_flags</c> (padded to 8), <c>sa_restorer</c>. 152 bytes.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SigAction
    {
        public nint Handler;
        public fixed ulong Mask[16];
        public int Flags;
        public nint Restorer;
    }

    /// <summary><c>int sigaction(int signum, const struct sigaction *act, struct sigaction *oldact)</c></summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "sigaction", SetLastError = true)]
    internal static partial int Sigaction(int signal, SigAction* action, SigAction* previous);
}

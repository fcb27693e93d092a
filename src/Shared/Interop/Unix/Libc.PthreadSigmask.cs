using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static unsafe partial class Libc
{
    /// <summary><c>SIG_BLOCK</c>: add the set to the thread's blocked signals.</summary>
    internal const int SIG_BLOCK = 0;

    /// <summary><c>SIG_UNBLOCK</c>: remove the set from the thread's blocked signals.</summary>
    internal const int SIG_UNBLOCK = 1;

    /// <summary>
    /// glibc's <c>sigset_t</c>: 1024 bits (the kernel reads only the first 64). Signal <c>n</c> is bit <c>n - 1</c>.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SigSet
    {
        public fixed ulong Bits[16];
    }

    /// <summary>
    /// <c>int pthread_sigmask(int how, const sigset_t *set, sigset_t *oldset)</c>: the calling thread's mask only.
    /// Returns an error number (0 on success); it does not set errno.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "pthread_sigmask")]
    internal static partial int PthreadSigmask(int how, SigSet* set, SigSet* previous);
}

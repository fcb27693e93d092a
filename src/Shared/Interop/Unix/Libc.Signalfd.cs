using System.Runtime.InteropServices;

namespace ChatFork.Interop.Unix;

internal static unsafe partial class Libc
{
    /// <summary><c>SFD_CLOEXEC</c> (= <c>O_CLOEXEC</c>): no worker inherits the descriptor.</summary>
    internal const int SFD_CLOEXEC = 0x80000;

    /// <summary>The size of <c>struct signalfd_siginfo</c>, what one <c>read</c> returns per signal.</summary>
    internal const int SignalfdSiginfoSize = 128;

    /// <summary>
    /// <c>int signalfd(int fd, const sigset_t *mask, int flags)</c> (Linux): a descriptor that reads the signals in
    /// <paramref name="mask"/> while they are pending. They must be blocked, or they are delivered as usual instead.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "signalfd", SetLastError = true)]
    internal static partial int Signalfd(int fd, SigSet* mask, int flags);
}

using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Unix;
using Microsoft.Win32.SafeHandles;

namespace ChatFork.Platform;

/// <summary>
/// A <c>signalfd</c> (Linux): the signals of its set, read as data by whichever thread reads it, with no handler
/// and no thread made per signal. Works only for signals that every thread of the process blocks (<see cref="SignalMask"/>):
/// a signal some thread does not block is delivered to that thread the usual way instead.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class SignalFd : SafeHandleZeroOrMinusOneIsInvalid
{
    public SignalFd()
        : base(ownsHandle: true)
    {
    }

    /// <exception cref="ChatForkException">signalfd failed.</exception>
    public static SignalFd Open(ReadOnlySpan<int> signals)
    {
        var set = SignalMask.SetOf(signals);
        var fd = Libc.Signalfd(-1, &set, Libc.SFD_CLOEXEC);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new ChatForkException($"signalfd failed: {Marshal.GetPInvokeErrorMessage(errno)}.");
        }

        var handle = new SignalFd();
        handle.SetHandle(fd);
        return handle;
    }

    /// <summary>Waits for the next signal of the set and returns its number (the first field of <c>signalfd_siginfo</c>).</summary>
    /// <exception cref="ChatForkException">read failed.</exception>
    public int Read()
    {
        var info = stackalloc byte[Libc.SignalfdSiginfoSize];
        while (true)
        {
            var read = Libc.Read((int)handle, info, Libc.SignalfdSiginfoSize);
            if (read == Libc.SignalfdSiginfoSize)
            {
                return (int)*(uint*)info;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (read < 0 && errno == Errno.EINTR)
            {
                continue;
            }

            throw new ChatForkException(read < 0
                ? $"reading the signalfd failed: {Marshal.GetPInvokeErrorMessage(errno)}."
                : $"reading the signalfd returned {read} bytes, not {Libc.SignalfdSiginfoSize}.");
        }
    }

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}

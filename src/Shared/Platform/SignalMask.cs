using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Unix;

namespace ChatFork.Platform;

/// <summary>
/// Linux signal masks: the calling thread's (<c>pthread_sigmask</c>), and every thread's as <c>/proc</c> shows it.
/// </summary>
/// <remarks>
/// A mask belongs to a thread. A new thread starts with its creator's, a child process with the mask of the thread
/// that forked it, and <c>execve</c> keeps it; a process-directed signal goes to any one thread that does not block
/// it. So a signal is kept away from every handler of a process only if every thread blocks it, which for the
/// threads a runtime makes before <c>Main</c> means: blocked before <c>execve</c>.
/// </remarks>
[SupportedOSPlatform("linux")]
internal static unsafe class SignalMask
{
    /// <summary>True if the calling thread blocks every one of <paramref name="signals"/>.</summary>
    public static bool BlockedHere(ReadOnlySpan<int> signals)
    {
        Libc.SigSet current;
        Check(Libc.PthreadSigmask(Libc.SIG_BLOCK, null, &current), "read");
        foreach (var signal in signals)
        {
            if ((current.Bits[0] & Bit(signal)) == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Blocks <paramref name="signals"/> in the calling thread (and in threads and children it makes later).</summary>
    /// <exception cref="ChatForkException">pthread_sigmask failed.</exception>
    public static void Block(ReadOnlySpan<int> signals)
    {
        var set = SetOf(signals);
        Check(Libc.PthreadSigmask(Libc.SIG_BLOCK, &set, null), "block");
    }

    /// <summary>Unblocks <paramref name="signals"/> in the calling thread.</summary>
    /// <exception cref="ChatForkException">pthread_sigmask failed.</exception>
    public static void Unblock(ReadOnlySpan<int> signals)
    {
        var set = SetOf(signals);
        Check(Libc.PthreadSigmask(Libc.SIG_UNBLOCK, &set, null), "unblock");
    }

    /// <summary>A <c>sigset_t</c> holding <paramref name="signals"/>.</summary>
    public static Libc.SigSet SetOf(ReadOnlySpan<int> signals)
    {
        var set = default(Libc.SigSet);
        foreach (var signal in signals)
        {
            set.Bits[0] |= Bit(signal);
        }

        return set;
    }

    /// <summary>True if <paramref name="signal"/>'s disposition is <c>SIG_IGN</c> (as a background shell leaves SIGINT).</summary>
    public static bool Ignored(int signal)
    {
        Libc.SigAction current;
        return Libc.Sigaction(signal, null, &current) == 0 && current.Handler == Libc.SIG_IGN;
    }

    /// <summary>
    /// The threads of process <paramref name="processId"/> that do not block all of <paramref name="signals"/>, by
    /// the <c>SigBlk</c> line of <c>/proc/PID/task/TID/status</c>; a thread that ends while it is read is skipped.
    /// </summary>
    public static List<int> ThreadsNotBlocking(int processId, ReadOnlySpan<int> signals)
    {
        var set = SetOf(signals);
        var wanted = set.Bits[0];
        var result = new List<int>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{processId}/task"))
        {
            if (BlockedBy(Path.Combine(task, "status")) is { } blocked && (blocked & wanted) != wanted)
            {
                result.Add(int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture));
            }
        }

        return result;
    }

    /// <summary>The <c>SigBlk</c> bits in a <c>/proc/.../status</c> file, or null if it is gone.</summary>
    public static ulong? BlockedBy(string statusFile)
    {
        try
        {
            foreach (var line in File.ReadLines(statusFile))
            {
                if (line.StartsWith("SigBlk:", StringComparison.Ordinal))
                {
                    return ulong.Parse(line.AsSpan("SigBlk:".Length).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The thread (or process) ended.
        }

        return null;
    }

    private static ulong Bit(int signal) => 1UL << (signal - 1);

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new ChatForkException($"pthread_sigmask could not {what} the signal mask: {Marshal.GetPInvokeErrorMessage(error)}.");
        }
    }
}

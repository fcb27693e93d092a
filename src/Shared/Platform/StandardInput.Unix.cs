using System.Runtime.InteropServices;
using ChatFork.Interop.Unix;

namespace ChatFork.Platform;

internal static partial class StandardInput
{
    private static unsafe int ReadUnix(Span<byte> buffer)
    {
        fixed (byte* bytes = buffer)
        {
            while (true)
            {
                var n = Libc.Read(Libc.STDIN_FILENO, bytes, (nuint)buffer.Length);
                if (n >= 0)
                {
                    return (int)n;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != Errno.EINTR)
                {
                    throw new IOException($"Standard input cannot be read: {Marshal.GetPInvokeErrorMessage(errno)}.");
                }
            }
        }
    }
}

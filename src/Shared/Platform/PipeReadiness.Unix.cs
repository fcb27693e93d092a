using System.IO.Pipes;
using System.Runtime.Versioning;
using ChatFork.Interop.Unix;

namespace ChatFork.Platform;

internal static partial class PipeReadiness
{
    [UnsupportedOSPlatform("windows")]
    private static unsafe bool HasDataUnix(PipeStream pipe)
    {
        var handle = pipe.SafePipeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var poll = new Libc.PollFd { Fd = (int)handle.DangerousGetHandle(), Events = Libc.POLLIN };
            // Readable, or hung up / in error: either way a read will not block, and it will tell.
            return Libc.Poll(&poll, 1, 0) > 0;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}

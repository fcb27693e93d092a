using System.IO.Pipes;
using System.Runtime.Versioning;
using ChatFork.Interop.Unix;

namespace ChatFork.Platform;

internal static partial class PipePeer
{
    [SupportedOSPlatform("linux")]
    private static unsafe int? ProcessIdLinux(PipeStream pipe)
    {
        var handle = pipe.SafePipeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            Libc.UCred credentials;
            var length = (uint)sizeof(Libc.UCred);
            var result = Libc.GetSockOpt((int)handle.DangerousGetHandle(), Libc.SOL_SOCKET, Libc.SO_PEERCRED, &credentials, &length);
            return result == 0 ? credentials.ProcessId : null;
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

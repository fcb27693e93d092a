using System.IO.Pipes;
using System.Runtime.Versioning;
using ChatFork.Interop.Windows;

namespace ChatFork.Platform;

internal static partial class PipeReadiness
{
    [SupportedOSPlatform("windows")]
    private static unsafe bool HasDataWindows(PipeStream pipe)
    {
        uint available = 0;
        // A broken pipe makes PeekNamedPipe fail: say "ready", so that the read that follows reports the end.
        return !Kernel32.PeekNamedPipe(pipe.SafePipeHandle, null, 0, null, &available, null) || available > 0;
    }
}

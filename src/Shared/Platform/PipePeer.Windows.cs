using System.IO.Pipes;
using System.Runtime.Versioning;
using ChatFork.Interop.Windows;

namespace ChatFork.Platform;

internal static partial class PipePeer
{
    [SupportedOSPlatform("windows")]
    private static int? ProcessIdWindows(PipeStream pipe) =>
        pipe is NamedPipeServerStream && Kernel32.GetNamedPipeClientProcessId(pipe.SafePipeHandle, out var pid) ? (int)pid : null;
}

using System.IO.Pipes;

namespace ChatFork.Platform;

/// <summary>Who is at the other end of a connected pipe, where the OS tells: SO_PEERCRED on Linux, GetNamedPipeClientProcessId on Windows.</summary>
internal static partial class PipePeer
{
    public static int? ProcessId(PipeStream pipe) =>
        OperatingSystem.IsWindows() ? ProcessIdWindows(pipe)
        : OperatingSystem.IsLinux() ? ProcessIdLinux(pipe)
        : null;
}

using System.IO.Pipes;

namespace ChatFork.Platform;

/// <summary>
/// Whether a pipe has bytes to read now, without reading or waiting: <c>poll</c> with a zero timeout on Linux (the
/// pipe is a Unix socket), <c>PeekNamedPipe</c> on Windows. A worker reading the room's ring asks it between drains so
/// that lines on its pipe (whispers, a shutdown) are not held up behind a long run of ring lines.
/// </summary>
internal static partial class PipeReadiness
{
    public static bool HasData(PipeStream pipe) =>
        OperatingSystem.IsWindows() ? HasDataWindows(pipe) : HasDataUnix(pipe);
}

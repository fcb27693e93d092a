using System.Runtime.Versioning;

namespace ChatFork.Worker.Platform;

/// <summary>
/// Which worker runs here. Linux: the single-threaded poll loop (<see cref="Loop.WorkerLoop"/>). Elsewhere (Windows,
/// and so the Wine run): the threaded worker (<see cref="WorkerProcess"/>), until its Windows half is written:
/// <c>WSAEventSelect</c> on the socket, an overlapped <c>ReadFile</c> on the pipe, <c>WaitForMultipleObjects</c>.
/// </summary>
internal static class LoopPlatform
{
    [SupportedOSPlatformGuard("linux")]
    public static bool HasPollLoop => OperatingSystem.IsLinux();
}

using System.Runtime.Versioning;

namespace ChatFork.Worker.Platform;

/// <summary>
/// Where the worker runs: its one body, the loop (<see cref="Loop.WorkerLoop"/>), has its OS half written for Linux
/// (<c>poll</c>, <c>recvmsg</c> with <c>SCM_RIGHTS</c>) and for Windows (<c>WSAEventSelect</c>, overlapped
/// <c>ReadFile</c>/<c>WriteFile</c>, <c>WaitForMultipleObjects</c>), and for nothing else.
/// </summary>
internal static class LoopPlatform
{
    [SupportedOSPlatformGuard("linux")]
    [SupportedOSPlatformGuard("windows")]
    public static bool IsSupported => OperatingSystem.IsLinux() || OperatingSystem.IsWindows();
}

namespace ChatFork.Platform;

/// <summary>
/// The seam's two halves for the OS this process runs on. The only place that picks between them; everything else
/// that differs by OS is in <c>.Unix.cs</c> / <c>.Windows.cs</c> files in this folder, as in dotnet/runtime.
/// </summary>
internal static class CurrentPlatform
{
    public static ISocketHandOff HandOff { get; } =
        OperatingSystem.IsWindows() ? new DuplicateSocketHandOff() : new ScmRightsHandOff();

    /// <summary>How the room's ring is shared with workers (<c>--fanout shm</c>).</summary>
    public static IRingShare RingShare { get; } =
        OperatingSystem.IsWindows() ? new NamedMappingRingShare() : new MemfdRingShare();

    public static IProcessLifetime Lifetime { get; } =
        OperatingSystem.IsWindows() ? new WindowsProcessLifetime() : new UnixProcessLifetime();
}

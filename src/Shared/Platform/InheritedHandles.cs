namespace ChatFork.Platform;

/// <summary>
/// Supervisor side, once at start: make sure handles this process inherited from whoever started it cannot pass on
/// into workers.
/// </summary>
internal static partial class InheritedHandles
{
    /// <summary>Returns how many handles were changed.</summary>
    public static int Protect() => OperatingSystem.IsLinux() ? ProtectLinux() : ProtectWindows();
}

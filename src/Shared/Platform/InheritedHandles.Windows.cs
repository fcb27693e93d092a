namespace ChatFork.Platform;

public static partial class InheritedHandles
{
    // Not done on Windows: Process.Start passes bInheritHandles=TRUE to CreateProcess when it redirects standard
    // input, so every inheritable handle of the supervisor reaches the worker. .NET creates its own handles
    // non-inheritable; handles inherited from the parent are the gap, and it is left open here.
    private static int ProtectWindows() => 0;
}

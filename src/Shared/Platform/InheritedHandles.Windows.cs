namespace ChatFork.Platform;

internal static partial class InheritedHandles
{
    // Nothing to change on Windows: a worker inherits only what its CreateProcessW handle list names (its standard
    // input pipe; see WindowsChildProcess), so whatever the supervisor itself inherited, inheritable or not, and every
    // accepted socket (inheritable under Wine) stays where it is.
    private static int ProtectWindows() => 0;
}

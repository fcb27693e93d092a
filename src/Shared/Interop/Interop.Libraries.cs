namespace ChatFork.Interop;

/// <summary>
/// Native libraries ChatFork calls into. Every native function has a file of its own under <c>Unix/</c> or
/// <c>Windows/</c>, as in dotnet/runtime's <c>src/libraries/Common/src/Interop</c>.
/// </summary>
internal static partial class Libraries
{
    /// <summary>The C library. "libc" resolves to glibc's libc.so.6 on Linux (and libSystem on macOS).</summary>
    internal const string Libc = "libc";

    internal const string Kernel32 = "kernel32.dll";

    /// <summary>Winsock 2.</summary>
    internal const string Ws2_32 = "ws2_32.dll";
}

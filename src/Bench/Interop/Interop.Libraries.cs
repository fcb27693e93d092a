namespace ChatFork.Bench.Interop;

/// <summary>Native libraries the bench calls into; one file per native function under <c>Unix/</c>.</summary>
internal static class Libraries
{
    /// <summary>The C library; "libc" resolves to glibc's libc.so.6 on Linux.</summary>
    internal const string Libc = "libc";
}

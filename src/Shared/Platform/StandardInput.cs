namespace ChatFork.Platform;

/// <summary>
/// Reads this process's standard input without <see cref="Console"/>. A worker reads its secret there once, at start;
/// on Unix, Console would also set up its encodings and terminal state for a descriptor that is only ever a pipe.
/// </summary>
internal static partial class StandardInput
{
    /// <summary>Reads up to <paramref name="buffer"/>'s length; 0 at end of file.</summary>
    /// <exception cref="IOException">Standard input cannot be read.</exception>
    public static int Read(Span<byte> buffer) =>
        OperatingSystem.IsWindows() ? ReadWindows(buffer) : ReadUnix(buffer);
}

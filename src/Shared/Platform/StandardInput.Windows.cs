namespace ChatFork.Platform;

internal static partial class StandardInput
{
    private static Stream? s_windows;

    // Windows has no descriptor 0 to read: the standard input handle comes from GetStdHandle, which Console wraps.
    private static int ReadWindows(Span<byte> buffer) => (s_windows ??= Console.OpenStandardInput()).Read(buffer);
}

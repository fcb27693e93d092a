namespace ChatFork.Platform;

internal static partial class ExitStatus
{
    // .NET reports a child killed by signal N as exit code 128 + N. ChatFork's own workers only exit with small codes,
    // so a code above 128 here always means a signal.
    private static int? UnixSignalOf(int exitCode) => exitCode is > 128 and < 128 + 65 ? exitCode - 128 : null;

    private static string DescribeUnix(int exitCode) =>
        UnixSignalOf(exitCode) is { } signal
            ? $"killed by {UnixSignals.Name(signal)}"
            : $"exited with code {exitCode}";
}

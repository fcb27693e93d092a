namespace ChatFork.Platform;

internal static partial class ExitStatus
{
    // NTSTATUS codes a crashed or killed Windows process exits with (ntstatus.h).
    private const int StatusControlCExit = unchecked((int)0xC000013A);
    private const int StatusAccessViolation = unchecked((int)0xC0000005);
    private const int StatusStackOverflow = unchecked((int)0xC00000FD);

    private static string DescribeWindows(int exitCode) => exitCode switch
    {
        -1 => "was terminated (TerminateProcess)",
        StatusControlCExit => "was interrupted (Ctrl+C, STATUS_CONTROL_C_EXIT)",
        StatusAccessViolation => "crashed (STATUS_ACCESS_VIOLATION, 0xC0000005)",
        StatusStackOverflow => "crashed (STATUS_STACK_OVERFLOW, 0xC00000FD)",
        < 0 => $"crashed (status 0x{exitCode:X8})",
        _ => $"exited with code {exitCode}",
    };
}

namespace ChatFork.Platform;

/// <summary>What to start: the worker executable, its arguments, and the bytes it reads on standard input.</summary>
/// <param name="StandardInput">Never the command line: /proc/PID/cmdline is readable by every user.</param>
internal sealed record WorkerCommand(string Path, IReadOnlyList<string> Arguments, byte[] StandardInput);

using ChatFork.Protocol;

namespace ChatFork.Worker.Loop;

/// <summary>
/// How a session of the loop worker ends: thrown by <see cref="LoopSession"/> (the <c>ISessionControl</c> the shared
/// line handlers call) and caught by <see cref="WorkerLoop"/>, which then closes the client inside the same loop.
/// Control flow, not an error: it never reaches a log as one.
/// </summary>
internal sealed class SessionEnd : Exception
{
    public SessionEnd() : this(LeaveReason.Shutdown, "session ended", null, WorkerExitCode.Normal) { }

    public SessionEnd(string message) : this(LeaveReason.Shutdown, message, null, WorkerExitCode.Normal) { }

    public SessionEnd(string message, Exception innerException) : base(message, innerException)
    {
        Detail = message;
    }

    public SessionEnd(LeaveReason reason, string detail, string? lastLine, WorkerExitCode exitCode) : base(detail)
    {
        Reason = reason;
        Detail = detail;
        LastLine = lastLine;
        ExitCode = exitCode;
    }

    public LeaveReason Reason { get; } = LeaveReason.Shutdown;

    public string Detail { get; }

    /// <summary>The client's last line, or null.</summary>
    public string? LastLine { get; }

    public WorkerExitCode ExitCode { get; } = WorkerExitCode.Normal;

    /// <summary>The client left on its own (closed, or /quit): the only ends after which a <c>--reusable</c> worker is reused.</summary>
    public bool IsClean => (Reason is LeaveReason.ClientClosed or LeaveReason.Quit) && ExitCode == WorkerExitCode.Normal;

    public static SessionEnd SupervisorGone() =>
        new(LeaveReason.Shutdown, "supervisor went away", "* server went away", WorkerExitCode.SupervisorGone);
}

namespace ChatFork;

/// <summary>
/// The exit codes a worker uses. All are small, so that on Unix a code above 128 can only mean a signal
/// (.NET reports a child killed by signal N as 128 + N). How the client's session ended travels separately, in the
/// Leaving frame; the exit code says how the process ended.
/// </summary>
internal enum WorkerExitCode
{
    /// <summary>The session ended in an orderly way (the client left, quit, idled out, was too slow; a shutdown).</summary>
    Normal = 0,
    /// <summary>Something unexpected broke inside the worker; it logged what.</summary>
    Failed = 1,
    /// <summary>The command line was wrong (a worker is started by the supervisor, not by hand).</summary>
    BadArguments = 2,
    /// <summary>The worker could not attach: the pipe was not there, the hand-off failed, the protocol was broken.</summary>
    AttachFailed = 3,
    /// <summary>The supervisor went away (pipe closed, or PR_SET_PDEATHSIG fired).</summary>
    SupervisorGone = 4,
}

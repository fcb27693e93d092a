namespace ChatFork.Platform;

/// <summary>
/// The other half of the platform seam: a worker process's life. Starting one ("fork"), bound to the supervisor's
/// (on Windows a kill-on-close Job object; on Linux the worker sets <c>PR_SET_PDEATHSIG</c> itself, see
/// <see cref="LoopParent"/>).
/// </summary>
internal interface IProcessLifetime
{
    /// <summary>
    /// Supervisor side: starts a worker and gives it <see cref="WorkerCommand.StandardInput"/> on its standard input
    /// (then end of file). When this returns the worker is already bound to the supervisor (on Windows: in the Job
    /// object), so no supervisor death can leave it behind.
    /// </summary>
    /// <exception cref="ChatForkException">The process could not be started or set up; the message says why.</exception>
    IWorkerProcess Start(WorkerCommand command);

    // The worker's side (tying itself to the supervisor) is the loop's LoopParent, with no thread of its own.
}

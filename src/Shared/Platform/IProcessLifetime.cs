namespace ChatFork.Platform;

/// <summary>
/// The other half of the platform seam: a worker process's life. Starting one ("fork"), tying a worker's life to
/// the supervisor's (<c>PR_SET_PDEATHSIG</c> on Linux; a kill-on-close Job object on Windows), and adopting it.
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

    /// <summary>
    /// Worker side: arrange to hear of the supervisor's death (<paramref name="onSupervisorGone"/> is called when it
    /// dies) and fail if it is already dead. Dispose the result to stop listening.
    /// </summary>
    /// <exception cref="ChatForkException">The supervisor is gone already.</exception>
    IDisposable BindToParent(int supervisorProcessId, Action onSupervisorGone);
}

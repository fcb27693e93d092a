namespace ChatFork.Platform;

/// <summary>A started worker process, as the supervisor holds it until the reaper has accounted for its exit.</summary>
internal interface IWorkerProcess : IDisposable
{
    int Id { get; }

    /// <summary>Valid once the process has exited: the code, or on Unix 128 + the signal that ended it.</summary>
    int ExitCode { get; }

    /// <summary>True once the process has exited and its status is collected; cheap (no system call on Unix).</summary>
    bool HasExited { get; }

    /// <summary>
    /// True when the supervisor should learn of the exit by asking <see cref="HasExited"/> from its own thread rather
    /// than through <see cref="OnExit"/> (which costs a thread-pool wait thread per 63 processes on Unix).
    /// </summary>
    bool PreferPolling => false;

    /// <summary>Calls <paramref name="exited"/> once when the process has exited and its status is collected (on any thread; at once if it is gone already).</summary>
    void OnExit(Action exited);

    /// <summary>SIGKILL (TerminateProcess on Windows); nothing if it has exited already.</summary>
    void Kill();
}

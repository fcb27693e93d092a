using ChatFork.Protocol;

namespace ChatFork.Worker;

/// <summary>Where <see cref="WorkerLog"/> sends its events while the pipe is up: the threaded worker's link, or the loop's outbox.</summary>
internal interface IWorkerLogSink
{
    /// <summary>False once the pipe is broken; the log then writes to standard error.</summary>
    bool IsAlive { get; }

    void SendLog(WorkerLogLevel level, string text);
}

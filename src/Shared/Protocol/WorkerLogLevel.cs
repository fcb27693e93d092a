namespace ChatFork.Protocol;

/// <summary>The levels a worker's log event may carry.</summary>
internal enum WorkerLogLevel : byte
{
    Debug = 0,
    Info = 1,
    Warn = 2,
    Error = 3,
}

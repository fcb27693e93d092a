namespace ChatFork.Supervisor;

/// <summary>
/// One way to serve connections: worker processes (the point of ChatFork), or, for the comparison lab, threads or
/// async tasks inside the supervisor. Same protocol, same room, same limits; only the concurrency differs.
/// </summary>
internal interface IServerModel : IDisposable
{
    /// <summary>A phrase for the start-up log line: "up to 256 workers, 4 pooled, hand-off by ...".</summary>
    string Description { get; }

    /// <summary>Starts accepting on the already bound listener; completes when the server is ready to serve.</summary>
    Task StartAsync();

    /// <summary>Stops accepting, tells every client, waits for them (bounded), and returns the exit code.</summary>
    Task<int> ShutdownAsync(string reason, CancellationToken forced);
}

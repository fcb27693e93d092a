namespace ChatFork.Supervisor;

/// <summary>The concurrency model (<c>--model</c>).</summary>
public enum ServerModel
{
    /// <summary>One worker process per connection, the socket handed over like fork(). The default.</summary>
    Process,
    /// <summary>One dedicated OS thread per connection inside the supervisor, blocking I/O (the classic Windows server).</summary>
    Thread,
    /// <summary>One process, async sockets on the runtime's event loop (epoll on Linux, IOCP on Windows).</summary>
    Async,
}

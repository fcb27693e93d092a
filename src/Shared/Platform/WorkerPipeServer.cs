using System.IO.Pipes;

namespace ChatFork.Platform;

/// <summary>
/// The supervisor's end of one worker's pipe: made before the worker starts (so its first connect finds it), it
/// takes exactly one connection from a process of our own user, and from then on is <see cref="Stream"/>.
/// </summary>
/// <remarks>
/// On Windows this is .NET's <see cref="NamedPipeServerStream"/> (CurrentUserOnly, one instance): a connected pipe
/// instance is one handle. On Unix .NET's server stream keeps its listening socket open beside the connected one for
/// its whole life, two descriptors per worker, which at 10,000 workers is all of a 20,000 hard RLIMIT_NOFILE; so
/// there we listen ourselves, accept one connection, check its uid as CurrentUserOnly does, then close the listener
/// and unlink its path at once: one descriptor per attached worker (see <c>WorkerPipeServer.Unix.cs</c>).
/// </remarks>
internal abstract partial class WorkerPipeServer : IDisposable
{
    /// <summary>The pipe named <paramref name="pipeName"/> (on Unix, a path in the private pipe directory), listening.</summary>
    /// <exception cref="IOException">The pipe could not be made.</exception>
    /// <exception cref="UnauthorizedAccessException">The pipe could not be made.</exception>
    public static WorkerPipeServer Listen(string pipeName) =>
        OperatingSystem.IsWindows() ? new WindowsServer(pipeName) : new UnixServer(pipeName);

    /// <summary>The connected pipe; before <see cref="WaitForConnectionAsync"/> has completed, it throws.</summary>
    public abstract PipeStream Stream { get; }

    /// <summary>Waits for the one connection the pipe takes; afterwards the pipe takes no other.</summary>
    /// <exception cref="UnauthorizedAccessException">The peer runs as another user (it is dropped).</exception>
    /// <exception cref="OperationCanceledException">Cancelled before a peer came.</exception>
    /// <exception cref="IOException">The pipe failed.</exception>
    public abstract Task WaitForConnectionAsync(CancellationToken cancellationToken);

    public abstract void Dispose();
}

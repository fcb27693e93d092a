using System.IO.Pipes;
using System.Runtime.Versioning;

namespace ChatFork.Platform;

internal abstract partial class WorkerPipeServer
{
    /// <summary>Today's named pipe: a connected instance is one handle, and with one instance it takes no other client.</summary>
    [SupportedOSPlatform("windows")]
    private sealed class WindowsServer(string pipeName) : WorkerPipeServer
    {
        private readonly NamedPipeServerStream _pipe = new(pipeName, PipeDirection.InOut, 1, PipeTransmissionMode.Byte,
            PipeOptions.Asynchronous | PipeOptions.CurrentUserOnly);

        public override PipeStream Stream => _pipe;

        public override Task WaitForConnectionAsync(CancellationToken cancellationToken) => _pipe.WaitForConnectionAsync(cancellationToken);

        public override void Dispose() => _pipe.Dispose();
    }
}

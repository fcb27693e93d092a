using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Unix;
using Microsoft.Win32.SafeHandles;

namespace ChatFork.Platform;

internal abstract partial class WorkerPipeServer
{
    /// <summary>
    /// Our own listener on the pipe's path (what .NET's NamedPipeServerStream binds, minus the listening socket it
    /// keeps): backlog 1, one accept, the peer's uid checked with SO_PEERCRED as PipeOptions.CurrentUserOnly does
    /// (NamedPipeServerStream.Unix.cs, HandleAcceptedSocket), then the listener is closed and the path unlinked, so a
    /// later connect fails at once (ENOENT) and the worker costs the supervisor one descriptor from then on.
    /// </summary>
    /// <remarks>
    /// The connected socket becomes a <see cref="NamedPipeServerStream"/> through its public "existing handle"
    /// constructor: on Unix that accepts a socket (ValidateHandleIsPipe allows S_IFSOCK), and the SafePipeHandle
    /// wraps the descriptor in a Socket of its own for reads and writes (SafePipeHandle.PipeSocket), which is what a
    /// connected NamedPipeServerStream uses too; so the outbox, the pipe reader and the SCM_RIGHTS hand-off (sendmsg
    /// on SafePipeHandle's descriptor) see the same kind of stream as before. The SafePipeHandle must own its
    /// descriptor, and an accepted <see cref="Socket"/> cannot give its away, so it gets a duplicate
    /// (F_DUPFD_CLOEXEC) and the accepted Socket is closed: for a moment three descriptors, then one. That Socket is
    /// made before the stream is handed out (see WaitForConnectionAsync).
    /// </remarks>
    [UnsupportedOSPlatform("windows")]
    private sealed class UnixServer : WorkerPipeServer
    {
        private readonly string _path;
        private readonly Lock _gate = new();
        private Socket? _listener;
        private NamedPipeServerStream? _stream;
        private bool _disposed;

        public UnixServer(string path)
        {
            _path = path;
            var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                // The path is new, in our private 0700 directory (PipePaths): anything already there is an error,
                // not something to unlink as .NET does in /tmp.
                listener.Bind(new UnixDomainSocketEndPoint(path));
                listener.Listen(1);
            }
            catch (SocketException e)
            {
                listener.Dispose();
                throw new IOException($"Could not listen on {path}: {e.Message}", e);
            }

            _listener = listener;
        }

        public override PipeStream Stream =>
            _stream ?? throw new InvalidOperationException("The worker has not connected to its pipe yet.");

        public override async Task WaitForConnectionAsync(CancellationToken cancellationToken)
        {
            var listener = _listener ?? throw new InvalidOperationException("The pipe has already taken its connection, or is closed.");
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new IOException($"Accepting on {_path} failed: {e.Message}", e);
            }
            finally
            {
                // One connection only: whatever happened, nobody else gets in.
                CloseListener();
            }

            try
            {
                using (accepted)
                {
                    CheckPeerIsUs(accepted);
                    var stream = new NamedPipeServerStream(PipeDirection.InOut, isAsync: true, isConnected: true, Duplicate(accepted));
                    // Makes the stream's Socket now, on this one thread. A stream built on a handle makes it lazily,
                    // at its first read or write (SafePipeHandle.CreatePipeSocket), and when two threads get there
                    // at once (the pipe reader and the outbox, on a fresh pipe) the loser disposes the Socket it
                    // made, which owns the same descriptor: the pipe closes under both, and the winner's Socket holds
                    // a number the next open may reuse. InBufferSize is the one public member that makes the Socket
                    // without I/O (a getsockopt of SO_RCVBUF). WorkerPipeServerTests races the two.
                    _ = stream.InBufferSize;
                    lock (_gate)
                    {
                        if (!_disposed)
                        {
                            _stream = stream;
                            return;
                        }
                    }

                    stream.Dispose();
                    throw new ObjectDisposedException(nameof(WorkerPipeServer));
                }
            }
            catch (SocketException e)
            {
                throw new IOException($"The connection on {_path} failed: {e.Message}", e);
            }
        }

        public override void Dispose()
        {
            NamedPipeServerStream? stream;
            lock (_gate)
            {
                _disposed = true;
                stream = _stream;
            }

            CloseListener();
            stream?.Dispose();
        }

        private void CloseListener()
        {
            if (Interlocked.Exchange(ref _listener, null) is { } listener)
            {
                listener.Dispose();
                PipePaths.Forget(_path); // in our private directory; an error here changes nothing
            }
        }

        // What CurrentUserOnly checks (NamedPipeServerStream.Unix.cs): the peer's effective uid, as the kernel saw it
        // at connect, is ours. The pid is checked by WorkerAttach, with the secret.
        private static unsafe void CheckPeerIsUs(Socket accepted)
        {
            Libc.UCred credentials;
            var length = (uint)sizeof(Libc.UCred);
            if (Libc.GetSockOpt((int)accepted.Handle, Libc.SOL_SOCKET, Libc.SO_PEERCRED, &credentials, &length) != 0)
            {
                throw new IOException($"Could not ask who connected (SO_PEERCRED, errno {Marshal.GetLastPInvokeError()}).");
            }

            var ours = Libc.GetEffectiveUserId();
            if (credentials.UserId != ours)
            {
                throw new UnauthorizedAccessException($"the peer (pid {credentials.ProcessId}) runs as uid {credentials.UserId}, not as our uid {ours}");
            }
        }

        private static SafePipeHandle Duplicate(Socket accepted)
        {
            var descriptor = Libc.Fcntl((int)accepted.Handle, Libc.F_DUPFD_CLOEXEC, 0);
            if (descriptor < 0)
            {
                throw new IOException($"Could not keep the worker's pipe (F_DUPFD_CLOEXEC, errno {Marshal.GetLastPInvokeError()}).");
            }

            return new SafePipeHandle(descriptor, ownsHandle: true);
        }
    }
}

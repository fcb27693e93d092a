using System.Net.Sockets;
using System.Text;
using ChatFork.Sessions;

namespace ChatFork.Supervisor.Lab;

/// <summary>
/// A client socket in the async model: reads are awaited by the session, writes drain a bounded queue in an async
/// loop. No thread is dedicated to the client: while it waits, it is an epoll (IOCP on Windows) registration and a
/// few objects on the heap.
/// </summary>
internal sealed class AsyncClientConnection : IClientOutput, IDisposable
{
    private static readonly byte[] s_lineEnd = "\r\n"u8.ToArray();

    private readonly Socket _socket;
    private readonly int _queueLimit;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Task _writer;
    private readonly OutgoingBytes _queue = new();
    private byte[] _sending = new byte[1024];
    private bool _signalled;
    private bool _closing;
    private bool _aborted;
    private bool _disposed;

    public AsyncClientConnection(Socket socket, int queueLimit)
    {
        _socket = socket;
        _queueLimit = queueLimit;
        _socket.NoDelay = true;
        _socket.SendBufferSize = ClientConnection.KernelSendBuffer;
        _writer = WriteLoopAsync();
    }

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public bool AppendLine(ReadOnlySpan<byte> utf8Line) => Append(utf8Line, s_lineEnd);

    public bool AppendLine(string line) => AppendLine(Encoding.UTF8.GetBytes(line));

    public bool Append(ReadOnlySpan<byte> bytes) => Append(bytes, default);

    public void Commit()
    {
        lock (_lock)
        {
            if (_queue.Count == 0 || _signalled || _disposed)
            {
                return;
            }

            _signalled = true;
        }

        _signal.Release();
    }

    /// <summary>Sends what is queued and <paramref name="lastLine"/>, then closes (shutdown, brief drain, close).</summary>
    public async Task CloseGracefullyAsync(string? lastLine, TimeSpan timeout)
    {
        lock (_lock)
        {
            if (lastLine is not null && !_aborted)
            {
                AppendLocked(Encoding.UTF8.GetBytes(lastLine), s_lineEnd, ignoreLimit: true);
            }

            _closing = true;
            _signalled = true;
        }

        _signal.Release();
        try
        {
            await _writer.WaitAsync(timeout);
            _socket.Shutdown(SocketShutdown.Send);
            using var drain = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            var scratch = new byte[4096];
            while (await _socket.ReceiveAsync(scratch, SocketFlags.None, drain.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is TimeoutException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A client that does not take its last lines, or is gone: close regardless.
        }

        _socket.Dispose();
    }

    /// <summary>Gives up on a client that does not read: one try at telling it, without waiting; then close.</summary>
    public void Abort(string? notice)
    {
        lock (_lock)
        {
            _aborted = true;
            _closing = true;
            _queue.Clear();
            _signalled = true;
        }

        _signal.Release();
        try
        {
            if (notice is not null && _socket.Poll(0, SelectMode.SelectWrite))
            {
                _socket.Send(Encoding.UTF8.GetBytes("\r\n" + notice + "\r\n"), SocketFlags.None, out _);
            }

            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        _socket.Dispose();
        _signal.Dispose();
    }

    private bool Append(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> suffix)
    {
        lock (_lock)
        {
            return AppendLocked(bytes, suffix, ignoreLimit: false);
        }
    }

    private bool AppendLocked(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> suffix, bool ignoreLimit)
    {
        if (_aborted)
        {
            return false;
        }

        return _queue.TryAppend(bytes, suffix, ignoreLimit ? int.MaxValue : _queueLimit);
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (true)
            {
                await _signal.WaitAsync();
                int count;
                lock (_lock)
                {
                    _signalled = false;
                    if (_aborted || (_queue.Count == 0 && _closing))
                    {
                        return;
                    }

                    _sending = _queue.TakeAll(_sending, out count);
                }

                var data = _sending.AsMemory(0, count);
                while (!data.IsEmpty)
                {
                    data = data[await _socket.SendAsync(data, SocketFlags.None)..];
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The connection is gone; the session's read side finds out and ends.
        }
    }
}

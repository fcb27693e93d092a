using System.Net.Sockets;
using System.Text;

namespace ChatFork.Sessions;

/// <summary>
/// The client's TCP socket, as this worker owns it after the hand-off, with a bounded outgoing queue.
/// </summary>
/// <remarks>
/// <para>Three threads touch it. The worker's main thread receives (<see cref="Receive"/>). Whoever has lines for the
/// client (the pipe reader, or the main thread in echo mode) appends them (<see cref="Append"/>, then
/// <see cref="Commit"/>); the writer thread of this class sends them. The socket is non-blocking and each side waits
/// in <c>poll</c>, so a client that never reads blocks only the writer thread, never the pipe reader: the pipe keeps
/// flowing, the queue grows to its limit, and then the client alone is cut off (<see cref="Overflowed"/>).</para>
/// <para>Memory is bounded: the queue holds at most the limit, the writer holds at most one swapped-out queue.</para>
/// </remarks>
public sealed class ClientConnection : IClientOutput
{
    /// <summary>SO_SNDBUF for client sockets (the kernel doubles it for its bookkeeping).</summary>
    public const int KernelSendBuffer = 64 * 1024;

    private static readonly byte[] s_lineEnd = "\r\n"u8.ToArray();

    private readonly Socket _socket;
    private readonly int _queueLimit;
    // A monitor, not System.Threading.Lock: the writer waits on it.
    private readonly object _lock = new();
    private readonly Thread _writer;
    private byte[] _queue = new byte[4096];
    private int _queued;
    private byte[] _sending = new byte[4096];
    private bool _closing;
    private bool _aborted;
    private bool _midLine;
    private long _bytesSent;
    private long _lastProgress = Environment.TickCount64;

    public ClientConnection(Socket socket, int queueLimit)
    {
        _socket = socket;
        _queueLimit = queueLimit;
        // Non-blocking: both directions wait in poll, so an abort (shutdown) wakes either side.
        _socket.Blocking = false;
        _socket.NoDelay = true;
        // A fixed kernel send buffer. Left to autotuning, Linux grows it up to tcp_wmem's maximum (4 MiB here), and a
        // client that never reads could park megabytes in the kernel on top of our queue: the limit would be a fiction.
        _socket.SendBufferSize = KernelSendBuffer;
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "client writer" };
        _writer.Start();
    }

    /// <summary>Bytes the kernel has taken for the client so far.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>How long since the client last took any bytes (or since the connection began).</summary>
    public TimeSpan SinceLastProgress => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastProgress));

    /// <summary>Set when the outgoing queue would have passed its limit: the client is not reading.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>The bytes waiting to be sent (for the log line of a slow consumer).</summary>
    public int Queued
    {
        get
        {
            lock (_lock)
            {
                return _queued;
            }
        }
    }

    /// <summary>
    /// Waits for bytes from the client. Returns the count, 0 at end of stream, or -1 if <paramref name="idleTimeout"/>
    /// (when not zero) passed without any. Throws <see cref="SocketException"/> when the connection failed.
    /// </summary>
    public int Receive(Span<byte> buffer, TimeSpan idleTimeout)
    {
        while (true)
        {
            var timeout = idleTimeout == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : idleTimeout;
            if (!_socket.Poll(timeout, SelectMode.SelectRead))
            {
                return -1;
            }

            var received = _socket.Receive(buffer, SocketFlags.None, out var error);
            switch (error)
            {
                case SocketError.Success:
                    return received;
                case SocketError.WouldBlock or SocketError.Interrupted:
                    continue;
                default:
                    throw new SocketException((int)error);
            }
        }
    }

    /// <summary>Queues a line and its <c>\r\n</c>. Returns false (and sets <see cref="Overflowed"/>) past the limit.</summary>
    public bool AppendLine(ReadOnlySpan<byte> utf8Line)
    {
        lock (_lock)
        {
            return AppendLocked(utf8Line, s_lineEnd, ignoreLimit: false);
        }
    }

    public bool AppendLine(string line) => AppendLine(Encoding.UTF8.GetBytes(line));

    /// <summary>Queues bytes exactly as given (echo mode).</summary>
    public bool Append(ReadOnlySpan<byte> bytes)
    {
        lock (_lock)
        {
            return AppendLocked(bytes, default, ignoreLimit: false);
        }
    }

    /// <summary>Wakes the writer for what was appended. Separate from Append so a batch costs one wake-up.</summary>
    public void Commit()
    {
        lock (_lock)
        {
            if (_queued > 0)
            {
                Monitor.PulseAll(_lock);
            }
        }
    }

    /// <summary>
    /// Sends what is queued plus <paramref name="lastLine"/>, waits for it to leave (at most
    /// <paramref name="flushTimeout"/>), then closes: shutdown for sending (the client sees EOF after the last line),
    /// a short drain of what the client still sends (so the kernel answers with FIN rather than RST, which could
    /// destroy the last line in flight), close.
    /// </summary>
    public void CloseGracefully(string? lastLine, TimeSpan flushTimeout)
    {
        lock (_lock)
        {
            if (lastLine is not null && !_aborted)
            {
                AppendLocked(Encoding.UTF8.GetBytes(lastLine), s_lineEnd, ignoreLimit: true);
            }

            _closing = true;
            Monitor.PulseAll(_lock);
        }

        if (!_writer.Join(flushTimeout))
        {
            Abort(null);
            return;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Send);
            DrainBriefly();
        }
        catch (SocketException)
        {
            // The client is gone already; nothing to say goodbye to.
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Close();
    }

    /// <summary>
    /// Gives up on a client that does not read: tries once, without waiting, to tell it why, then shuts the socket
    /// down (which wakes the writer out of poll) and closes it.
    /// </summary>
    public void Abort(string? notice)
    {
        bool midLine;
        lock (_lock)
        {
            _aborted = true;
            _closing = true;
            _queued = 0;
            midLine = _midLine;
            Monitor.PulseAll(_lock);
        }

        if (notice is not null)
        {
            var text = Encoding.UTF8.GetBytes((midLine ? "\r\n" : "") + notice + "\r\n");
            _socket.Send(text, SocketFlags.None, out _);
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        _writer.Join(TimeSpan.FromSeconds(1));
        _socket.Close();
    }

    private bool AppendLocked(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> suffix, bool ignoreLimit)
    {
        if (_aborted)
        {
            return false;
        }

        var needed = bytes.Length + suffix.Length;
        if (!ignoreLimit && _queued + needed > _queueLimit)
        {
            Overflowed = true;
            return false;
        }

        if (_queue.Length - _queued < needed)
        {
            Array.Resize(ref _queue, Math.Max(_queued + needed, _queue.Length * 2));
        }

        bytes.CopyTo(_queue.AsSpan(_queued));
        suffix.CopyTo(_queue.AsSpan(_queued + bytes.Length));
        _queued += needed;
        return true;
    }

    private void WriteLoop()
    {
        while (true)
        {
            int count;
            lock (_lock)
            {
                while (_queued == 0 && !_closing)
                {
                    Monitor.Wait(_lock);
                }

                if (_queued == 0 || _aborted)
                {
                    return;
                }

                (_queue, _sending) = (_sending, _queue);
                count = _queued;
                _queued = 0;
                _midLine = true;
            }

            if (!SendAll(_sending.AsSpan(0, count)))
            {
                return;
            }

            lock (_lock)
            {
                _midLine = false;
            }
        }
    }

    private bool SendAll(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var sent = _socket.Send(data, SocketFlags.None, out var error);
            switch (error)
            {
                case SocketError.Success:
                    data = data[sent..];
                    Interlocked.Add(ref _bytesSent, sent);
                    Interlocked.Exchange(ref _lastProgress, Environment.TickCount64);
                    break;
                case SocketError.WouldBlock or SocketError.Interrupted:
                    // The client's window is full. Wait; an abort shuts the socket down, which ends the wait.
                    _socket.Poll(Timeout.InfiniteTimeSpan, SelectMode.SelectWrite);
                    lock (_lock)
                    {
                        if (_aborted)
                        {
                            return false;
                        }
                    }

                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    // Read and discard what the client still sends, for a moment, so that close() finds no unread data.
    private void DrainBriefly()
    {
        Span<byte> scratch = stackalloc byte[4096];
        var deadline = Environment.TickCount64 + 500;
        var budget = 1024 * 1024;
        while (budget > 0)
        {
            var left = deadline - Environment.TickCount64;
            if (left <= 0 || !_socket.Poll(TimeSpan.FromMilliseconds(left), SelectMode.SelectRead))
            {
                return;
            }

            var n = _socket.Receive(scratch, SocketFlags.None, out var error);
            if (error is not (SocketError.Success or SocketError.WouldBlock) || (error == SocketError.Success && n == 0))
            {
                return;
            }

            budget -= n;
        }
    }
}

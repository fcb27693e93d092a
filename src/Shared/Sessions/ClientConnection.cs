using System.Net.Sockets;
using System.Text;

namespace ChatFork.Sessions;

/// <summary>
/// A client's TCP socket, owned by the code that serves it (a worker after the hand-off, or a connection thread), with
/// a bounded outgoing queue.
/// </summary>
/// <remarks>
/// <para>The socket is non-blocking. Reading waits in <c>poll</c> (<see cref="Receive"/>). Writing is done by whoever
/// has output, at once: <see cref="Commit"/> sends what was appended with non-blocking sends from the calling thread,
/// so an echo or a relayed line costs no thread switch. Only when the client's window is full does a writer thread
/// take over, waiting in <c>poll</c> until the client reads; it is started the first time that happens, so a client
/// that keeps up never costs a second thread.</para>
/// <para>A client that never reads therefore blocks only the writer thread: callers keep appending, the queue grows to
/// its limit, and then <see cref="AppendLine(ReadOnlySpan{byte})"/> says no and the client alone is cut off. Memory is
/// bounded by two buffers of at most the limit each (the queue and the one being sent), plus a fixed kernel buffer.</para>
/// </remarks>
internal sealed class ClientConnection : IClientOutput
{
    /// <summary>SO_SNDBUF for client sockets (the kernel doubles it for its bookkeeping).</summary>
    public const int KernelSendBuffer = 64 * 1024;

    private static readonly byte[] s_lineEnd = "\r\n"u8.ToArray();

    private readonly Socket _socket;
    private readonly int _queueLimit;
    // A monitor, not System.Threading.Lock: the writer and a closing caller wait on it.
    private readonly object _lock = new();
    private Thread? _writer;
    private readonly OutgoingBytes _queue = new(4096);
    private byte[] _sending = new byte[4096];
    private int _sendOffset;
    private int _sendEnd;
    private bool _senderActive;
    private bool _writerWanted;
    private bool _aborted;
    private bool _failed;
    private long _bytesSent;
    private long _lastProgress = Environment.TickCount64;

    public ClientConnection(Socket socket, int queueLimit)
    {
        _socket = socket;
        _queueLimit = queueLimit;
        _socket.Blocking = false;
        _socket.NoDelay = true;
        // A fixed kernel send buffer. Left to autotuning, Linux grows it up to tcp_wmem's maximum (4 MiB here), and a
        // client that never reads could park megabytes in the kernel on top of our queue: the limit would be a fiction.
        _socket.SendBufferSize = KernelSendBuffer;
    }

    /// <summary>Bytes the kernel has taken for the client so far.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>How long since the client last took any bytes (or since the connection began).</summary>
    public TimeSpan SinceLastProgress => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastProgress));

    /// <summary>The bytes waiting to be sent (for the log line of a slow consumer).</summary>
    public int Queued
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count + (_sendEnd - _sendOffset);
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

    /// <summary>Queues a line and its <c>\r\n</c>. Returns false past the limit: the client is not keeping up.</summary>
    public bool AppendLine(ReadOnlySpan<byte> utf8Line)
    {
        lock (_lock)
        {
            return AppendLocked(utf8Line, s_lineEnd, ignoreLimit: false);
        }
    }

    public bool AppendLine(string line) => AppendLine(Encoding.UTF8.GetBytes(line));

    /// <summary>
    /// Queues a line and its <c>\r\n</c> whatever the queue holds: for a caller that bounds the queue itself by
    /// waiting in <see cref="WaitForRoom"/> before it takes more (a worker, which then stops reading its pipe).
    /// </summary>
    public void EnqueueLine(ReadOnlySpan<byte> utf8Line)
    {
        lock (_lock)
        {
            AppendLocked(utf8Line, s_lineEnd, ignoreLimit: true);
        }
    }

    /// <summary>
    /// Waits while more than the limit is queued, as long as the client keeps taking bytes. False when it took
    /// nothing for <paramref name="noProgress"/> while the queue was over the limit: a slow consumer.
    /// </summary>
    public bool WaitForRoom(TimeSpan noProgress)
    {
        lock (_lock)
        {
            while (!_aborted && _queue.Count + (_sendEnd - _sendOffset) > _queueLimit)
            {
                var idle = Environment.TickCount64 - Interlocked.Read(ref _lastProgress);
                var left = (long)noProgress.TotalMilliseconds - idle;
                if (left <= 0)
                {
                    return false;
                }

                Monitor.Wait(_lock, (int)Math.Min(left, 250));
            }

            return true;
        }
    }

    /// <summary>Queues bytes exactly as given (echo mode).</summary>
    public bool Append(ReadOnlySpan<byte> bytes)
    {
        lock (_lock)
        {
            return AppendLocked(bytes, default, ignoreLimit: false);
        }
    }

    /// <summary>
    /// Sends what was appended, now, from this thread, as far as the client's window allows; the writer thread
    /// finishes the rest. Separate from Append so that a batch of lines leaves in one send.
    /// </summary>
    public void Commit()
    {
        lock (_lock)
        {
            if (_senderActive || _aborted || (_queue.Count == 0 && _sendOffset == _sendEnd))
            {
                return; // nothing to send, or someone is sending and will take the new bytes too
            }

            _senderActive = true;
        }

        SendAvailable(mayWait: false);
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

        }

        Commit();
        var deadline = Environment.TickCount64 + (long)flushTimeout.TotalMilliseconds;
        lock (_lock)
        {
            while (!_aborted && (_senderActive || _queue.Count > 0 || _sendOffset < _sendEnd))
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    break;
                }

                Monitor.Wait(_lock, (int)left);
            }

            if (_queue.Count > 0 || _sendOffset < _sendEnd)
            {
                Monitor.Exit(_lock);
                try
                {
                    Abort(null); // the client would not take its last lines in time
                }
                finally
                {
                    Monitor.Enter(_lock);
                }

                return;
            }
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

        StopWriter();
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
            midLine = _sendOffset < _sendEnd;
            _queue.Clear();
            Monitor.PulseAll(_lock);
        }

        try
        {
            if (notice is not null)
            {
                _socket.Send(Encoding.UTF8.GetBytes((midLine ? "\r\n" : "") + notice + "\r\n"), SocketFlags.None, out _);
            }

            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        StopWriter();
        _socket.Close();
    }

    private bool AppendLocked(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> suffix, bool ignoreLimit)
    {
        if (_failed)
        {
            return true; // the connection broke: the read side will see it and end the session; this is not "slow"
        }

        if (_aborted)
        {
            return false;
        }

        return _queue.TryAppend(bytes, suffix, ignoreLimit ? int.MaxValue : _queueLimit);
    }

    // Sends until nothing is left, the window is full (then: hand over to the writer, or wait if this is the writer),
    // or the connection fails. The caller has set _senderActive; this clears it.
    private void SendAvailable(bool mayWait)
    {
        var startWriter = false;
        while (true)
        {
            byte[] buffer;
            int offset;
            int end;
            lock (_lock)
            {
                if (_aborted)
                {
                    _senderActive = false;
                    Monitor.PulseAll(_lock);
                    return;
                }

                if (_sendOffset == _sendEnd)
                {
                    if (_queue.Count == 0)
                    {
                        _senderActive = false;
                        Monitor.PulseAll(_lock); // a CloseGracefully may be waiting for this
                        return;
                    }

                    _sending = _queue.TakeAll(_sending, out _sendEnd);
                    _sendOffset = 0;
                }

                buffer = _sending;
                offset = _sendOffset;
                end = _sendEnd;
            }

            var sent = _socket.Send(buffer.AsSpan(offset, end - offset), SocketFlags.None, out var error);
            if (error == SocketError.Success)
            {
                Interlocked.Add(ref _bytesSent, sent);
                Interlocked.Exchange(ref _lastProgress, Environment.TickCount64);
                lock (_lock)
                {
                    _sendOffset += sent;
                    Monitor.PulseAll(_lock); // a WaitForRoom may be waiting for progress
                }

                continue;
            }

            if (error is SocketError.WouldBlock or SocketError.Interrupted)
            {
                if (mayWait)
                {
                    // The writer: wait until the client reads. An abort shuts the socket down, which ends the wait.
                    _socket.Poll(Timeout.InfiniteTimeSpan, SelectMode.SelectWrite);
                    continue;
                }

                lock (_lock)
                {
                    _senderActive = false;
                    _writerWanted = true;
                    startWriter = _writer is null;
                    if (startWriter)
                    {
                        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "client writer" };
                    }

                    Monitor.PulseAll(_lock);
                }

                if (startWriter)
                {
                    _writer!.Start();
                }

                return;
            }

            // Reset, broken pipe: nothing more can be sent; the reading side will see the failure and end.
            lock (_lock)
            {
                _sendOffset = _sendEnd;
                _queue.Clear();
                _failed = true;
                _aborted = true;
                _senderActive = false;
                Monitor.PulseAll(_lock);
            }

            return;
        }
    }

    private void WriteLoop()
    {
        while (true)
        {
            lock (_lock)
            {
                while (!_aborted && (!_writerWanted || _senderActive))
                {
                    Monitor.Wait(_lock);
                }

                if (_aborted)
                {
                    return;
                }

                _writerWanted = false;
                if (_queue.Count == 0 && _sendOffset == _sendEnd)
                {
                    continue;
                }

                _senderActive = true;
            }

            SendAvailable(mayWait: true);
        }
    }

    private void StopWriter()
    {
        Thread? writer;
        lock (_lock)
        {
            _aborted = true;
            Monitor.PulseAll(_lock);
            writer = _writer;
        }

        writer?.Join(TimeSpan.FromSeconds(1));
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

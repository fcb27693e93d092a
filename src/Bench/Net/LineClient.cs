using System.Net;
using System.Net.Sockets;

namespace ChatFork.Bench.Net;

/// <summary>
/// One client connection: a TCP socket with Nagle off and a line reader over a byte buffer. Lines are handed to a
/// <see cref="LineVisitor"/> as spans into the buffer, so reading allocates nothing per line. Bytes after the line
/// that stopped a read stay buffered for the next read.
/// </summary>
internal sealed class LineClient : IDisposable
{
    private const int InitialBufferSize = 16 * 1024;

    // A line this long means the peer is not speaking lines; stop rather than grow without bound.
    private const int MaxLineLength = 1024 * 1024;

    private readonly Socket _socket;
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _start;
    private int _end;

    private LineClient(Socket socket)
    {
        _socket = socket;
    }

    public static async Task<LineClient> ConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
            return new LineClient(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await _socket.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[sent..];
        }
    }

    /// <summary>Reads lines until <paramref name="visitor"/> returns true (then true) or the peer closes (false).</summary>
    public async Task<bool> ReadLinesAsync(LineVisitor visitor, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (VisitBufferedLines(visitor))
            {
                return true;
            }

            MakeRoom();
            var received = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
            if (received == 0)
            {
                return false;
            }

            _end += received;
        }
    }

    public void Dispose() => _socket.Dispose();

    private bool VisitBufferedLines(LineVisitor visitor)
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            var newline = pending.IndexOf((byte)'\n');
            if (newline < 0)
            {
                return false;
            }

            var line = pending[..newline];
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            _start += newline + 1;
            if (visitor(line))
            {
                return true;
            }
        }
    }

    private void MakeRoom()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }

        if (_end < _buffer.Length)
        {
            return;
        }

        var pending = _end - _start;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
        }
        else if (_buffer.Length >= MaxLineLength)
        {
            throw new BenchException($"The server sent a line longer than {MaxLineLength} bytes.");
        }
        else
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        _start = 0;
        _end = pending;
    }
}

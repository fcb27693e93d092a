using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace ChatFork.Tests.Support;

/// <summary>
/// A line client on a real TCP socket, like <c>nc</c>. A background loop reads lines into a channel, so a test can
/// wait for a line with a timeout, and a timeout never leaves a half-read line behind. Every wait is bounded.
/// </summary>
internal sealed class ChatClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _history = [];
    private readonly Task _reader;
    private readonly CancellationTokenSource _stop = new();

    private ChatClient(Socket socket, string name)
    {
        _socket = socket;
        Name = name;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        RemoteEndPoint = (IPEndPoint)socket.RemoteEndPoint!;
        _reader = Task.Run(ReadLoopAsync);
    }

    public string Name { get; }

    public IPEndPoint LocalEndPoint { get; }

    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>True once the server closed the connection (EOF) or it failed.</summary>
    public bool Closed { get; private set; }

    /// <param name="netns">A network namespace to connect from (the socket is made there), or null for this one.</param>
    public static async Task<ChatClient> ConnectAsync(IPEndPoint server, string name = "client", string? netns = null)
    {
        var socket = netns is null
            ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            : NetworkNamespace.CreateSocket(netns);
        socket.NoDelay = true;
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await socket.ConnectAsync(server, timeout.Token);
        return new ChatClient(socket, name);
    }

    /// <summary>Connects and reads the chat greeting (up to its last line, which mentions /help).</summary>
    public static async Task<(ChatClient Client, List<string> Greeting)> JoinAsync(IPEndPoint server, string name = "client", string? netns = null)
    {
        var client = await ConnectAsync(server, name, netns);
        var greeting = await client.ReadUntilAsync(l => l.Contains("/help lists the commands", StringComparison.Ordinal), "the end of the greeting");
        return (client, greeting);
    }

    public async Task SendAsync(string line)
    {
        await SendRawAsync(Encoding.UTF8.GetBytes(line + "\n"));
    }

    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        while (!bytes.IsEmpty)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None, timeout.Token);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Sends until done or cancelled (a client the server no longer reads blocks here: TCP pushes back).</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
            bytes = bytes[sent..];
        }
    }

    /// <summary>The next line, or null at EOF. Throws <see cref="TimeoutException"/> naming what was received.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await _lines.Reader.ReadAsync(cancel.Token);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name}: no line within {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s. Received so far:\n  {History()}");
        }
    }

    /// <summary>Reads until a line matches; returns every line read, the match last.</summary>
    public async Task<List<string>> ReadUntilAsync(Func<string, bool> match, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var read = new List<string>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"{Name}: waited {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s for {what}. Received:\n  {History()}");
            }

            string? line;
            try
            {
                line = await ReadLineAsync(left);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"{Name}: waited {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s for {what}. Received:\n  {History()}");
            }

            if (line is null)
            {
                throw new EndOfStreamException($"{Name}: the server closed the connection before {what}. Received:\n  {History()}");
            }

            read.Add(line);
            if (match(line))
            {
                return read;
            }
        }
    }

    /// <summary>Reads lines until none arrives for <paramref name="quiet"/> (or EOF); returns them.</summary>
    public async Task<List<string>> DrainAsync(TimeSpan quiet)
    {
        var read = new List<string>();
        while (true)
        {
            try
            {
                var line = await ReadLineAsync(quiet);
                if (line is null)
                {
                    return read;
                }

                read.Add(line);
            }
            catch (TimeoutException)
            {
                return read;
            }
        }
    }

    /// <summary>True if the server closes the connection within the timeout (lines before EOF are consumed).</summary>
    public async Task<bool> WaitForEofAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await ReadLineAsync(deadline - DateTime.UtcNow) is null)
                {
                    return true;
                }
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        return false;
    }

    public string History()
    {
        lock (_history)
        {
            return _history.Count == 0 ? "(nothing)" : string.Join("\n  ", _history.TakeLast(40));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        try
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // The loop ends with the socket.
        }

        _stop.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        // Lines are cut straight out of the receive buffer: a test client must read as fast as the server sends,
        // or it would look like the slow consumer the server is right to disconnect.
        var buffer = new byte[64 * 1024];
        var start = 0;
        var end = 0;
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    if (start == 0)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }
                    else
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                        end -= start;
                        start = 0;
                    }
                }

                var n = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, _stop.Token);
                if (n == 0)
                {
                    break;
                }

                end += n;
                int newline;
                while ((newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n')) >= 0)
                {
                    var line = Encoding.UTF8.GetString(buffer, start, newline).TrimEnd('\r');
                    start += newline + 1;
                    lock (_history)
                    {
                        _history.Add(line);
                    }

                    _lines.Writer.TryWrite(line);
                }

                if (start == end)
                {
                    start = end = 0;
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Reset or disposed: treat as the end of the stream.
        }
        finally
        {
            Closed = true;
            _lines.Writer.TryComplete();
        }
    }
}

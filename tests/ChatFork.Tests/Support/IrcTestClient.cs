using System.Net;
using System.Text;
using System.Threading.Channels;

namespace ChatFork.Tests.Support;

/// <summary>
/// An IRC client for the tests that follows RFC 2812 and the Modern IRC documents: it registers with CAP LS 302,
/// PASS, NICK, USER and CAP END, ends every line with CR-LF, answers the server's PING with PONG at once, from a
/// reader of its own (unless told not to), and parses each line the server sends (<c>[:source] COMMAND params [:trailing]</c>) with a parser of its own,
/// so a bug in the server's parser cannot hide behind the same bug here. Every wait is bounded.
/// </summary>
internal sealed class IrcTestClient : IAsyncDisposable
{
    private readonly ChatClient _connection;
    private readonly Channel<IrcReply> _replies = Channel.CreateUnbounded<IrcReply>();
    private readonly Task _pump;
    private readonly SemaphoreSlim _sending = new(1, 1); // the pump's PONG and the test's lines never interleave
    private volatile bool _answerPings = true;

    private IrcTestClient(ChatClient connection, string nick)
    {
        _connection = connection;
        Nick = nick;
        // Reads all the time, not only while a test waits: a client must answer the server's PING even while the
        // test is busy with another client, or a short --ping-interval would drop it.
        _pump = Task.Run(PumpAsync);
    }

    public string Nick { get; private set; }

    /// <summary>Answer PING with PONG at once (on by default; the ping-timeout test turns it off).</summary>
    public bool AnswerPings
    {
        get => _answerPings;
        set => _answerPings = value;
    }

    public bool Closed => _connection.Closed;

    public static async Task<IrcTestClient> ConnectAsync(IPEndPoint server, string nick) =>
        new(await ChatClient.ConnectAsync(server, nick), nick);

    /// <summary>Connects and registers; returns the welcome burst, up to the end of the MOTD (376 or 422).</summary>
    public static async Task<(IrcTestClient Client, List<IrcReply> Welcome)> RegisterAsync(IPEndPoint server, string nick, string? password = null)
    {
        var client = await ConnectAsync(server, nick);
        var welcome = await client.RegisterAsync(password);
        return (client, welcome);
    }

    public async Task<List<IrcReply>> RegisterAsync(string? password = null)
    {
        await SendAsync("CAP LS 302");
        if (password is not null)
        {
            await SendAsync($"PASS {password}");
        }

        await SendAsync($"NICK {Nick}");
        await SendAsync($"USER {Nick.ToLowerInvariant()} 0 * :{Nick} the tester");
        await SendAsync("CAP END");
        return await ReadUntilAsync(r => r.Command is "376" or "422", "the end of the MOTD (376 or 422)");
    }

    public Task SendAsync(string line) => SendRawAsync(Encoding.UTF8.GetBytes(line + "\r\n"));

    public async Task SendRawAsync(byte[] bytes)
    {
        await _sending.WaitAsync();
        try
        {
            await _connection.SendRawAsync(bytes);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The next line from the server, parsed; null at EOF. Throws <see cref="TimeoutException"/> naming what came.</summary>
    public async Task<IrcReply?> ReadAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? ChatClient.DefaultTimeout);
        try
        {
            return await _replies.Reader.ReadAsync(cancel.Token);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Nick}: no line within {(timeout ?? ChatClient.DefaultTimeout).TotalSeconds:0.#} s. Received:\n  {History()}");
        }
    }

    /// <summary>Reads until a line matches; returns all read, the match last. Throws naming what came.</summary>
    public async Task<List<IrcReply>> ReadUntilAsync(Func<IrcReply, bool> match, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? ChatClient.DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        var read = new List<IrcReply>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            IrcReply? reply;
            try
            {
                reply = left > TimeSpan.Zero ? await ReadAsync(left) : throw new TimeoutException();
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"{Nick}: waited {limit.TotalSeconds:0.#} s for {what}. Received:\n  {History()}");
            }

            if (reply is null)
            {
                throw new EndOfStreamException($"{Nick}: the server closed the connection before {what}. Received:\n  {History()}");
            }

            read.Add(reply);
            if (match(reply))
            {
                return read;
            }
        }
    }

    /// <summary>Reads until the reply with this command (a numeric, or JOIN, PRIVMSG ...) and returns it.</summary>
    public async Task<IrcReply> ExpectAsync(string command, TimeSpan? timeout = null) =>
        (await ReadUntilAsync(r => r.Command == command, $"a {command}", timeout))[^1];

    /// <summary>
    /// Everything the server sends until it has answered a PING of ours: a fence that proves what did not come.
    /// </summary>
    public async Task<List<IrcReply>> SyncAsync()
    {
        var token = $"sync-{Guid.NewGuid():N}";
        await SendAsync($"PING :{token}");
        var lines = await ReadUntilAsync(r => r.Command == "PONG" && r.Last == token, "the PONG of our PING");
        return lines[..^1];
    }

    /// <summary>True if the server closes the connection within the timeout (lines before EOF are consumed).</summary>
    public async Task<bool> WaitForEofAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? ChatClient.DefaultTimeout);
        try
        {
            while (DateTime.UtcNow < deadline)
            {
                if (await ReadAsync(deadline - DateTime.UtcNow) is null)
                {
                    return true;
                }
            }
        }
        catch (TimeoutException)
        {
        }

        return false;
    }

    public string History() => _connection.History();

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _pump.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        _sending.Dispose();
    }

    private async Task PumpAsync()
    {
        try
        {
            while (await _connection.ReadLineAsync(Timeout.InfiniteTimeSpan) is { } line)
            {
                var reply = IrcReply.Parse(line);
                if (reply.Command == "PING" && _answerPings)
                {
                    await SendAsync($"PONG :{reply.Last}");
                    continue;
                }

                _replies.Writer.TryWrite(reply);
            }
        }
        catch (Exception e) when (e is TimeoutException or System.Net.Sockets.SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection ended; readers see the end of the channel.
        }
        finally
        {
            _replies.Writer.TryComplete();
        }
    }
}

/// <summary>One line from the server, parsed as RFC 2812 2.3.1 says: source, command, parameters (trailing last).</summary>
internal sealed record IrcReply(string Raw, string? Source, string Command, IReadOnlyList<string> Params)
{
    /// <summary>The nick part of the source (<c>nick!user@host</c>).</summary>
    public string? SourceNick => Source?.Split('!')[0];

    public string? Param(int i) => i < Params.Count ? Params[i] : null;

    /// <summary>The last parameter (the trailing one, where there is one).</summary>
    public string? Last => Params.Count > 0 ? Params[^1] : null;

    public static IrcReply Parse(string line)
    {
        var rest = line;
        string? source = null;
        if (rest.StartsWith('@'))
        {
            rest = rest[(rest.IndexOf(' ', StringComparison.Ordinal) + 1)..];
        }

        if (rest.StartsWith(':'))
        {
            var space = rest.IndexOf(' ', StringComparison.Ordinal);
            source = rest[1..space];
            rest = rest[(space + 1)..];
        }

        var parameters = new List<string>();
        var trailing = rest.IndexOf(" :", StringComparison.Ordinal);
        var head = trailing < 0 ? rest : rest[..trailing];
        var words = head.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        parameters.AddRange(words.Skip(1));
        if (trailing >= 0)
        {
            parameters.Add(rest[(trailing + 2)..]);
        }

        return new IrcReply(line, source, words.Length > 0 ? words[0] : "", parameters);
    }
}

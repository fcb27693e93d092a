using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ChatFork.Bench.Net;

/// <summary>
/// K connected chat clients, each with a read loop that runs for the room's lifetime. The loops parse bench tags and
/// report data lines to <see cref="Listener"/>; everything else (greetings, join notices, other runs) is dropped.
/// A chat server relays to whoever is connected at the moment a line arrives, and a fork-per-connection server may
/// still be starting the worker for a fresh connection, so nothing is timed before <see cref="BarrierAsync"/> has
/// proved that a line from client 0 reaches every other client.
/// <para>
/// A completed connect does not mean the server has accepted the connection: the kernel completes the handshake on
/// its own, and when the listener's accept queue is full (ncat listens with a backlog of 10) the client's final ACK
/// is dropped, so the server may never see the connection while the client, which only reads, waits for ever. A
/// client that sends anything retransmits it until the server's kernel takes it, so clients that miss the first
/// barrier line are poked with one space: half a line, which a line-based server holds until the line ends (ncat,
/// which relays whatever it reads, forwards it as a fragment that receivers skip), and which only puts a leading
/// space before that client's next line.
/// </para>
/// </summary>
internal sealed class ChatRoom : IAsyncDisposable
{
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan s_firstBarrierWait = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan s_longestBarrierWait = TimeSpan.FromSeconds(8);
    private static readonly ReadOnlyMemory<byte> s_poke = " "u8.ToArray();

    private readonly LineClient[] _clients;
    private readonly BenchToken _token;
    private readonly bool[] _heardBarrier;
    private readonly bool[] _poked;
    private readonly TaskCompletionSource _barrierComplete =
        new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _readers;
    private int _barrierHeard;
    private int _disconnected;
    private int _spliced;
    private volatile IChatListener? _listener;

    private ChatRoom(LineClient[] clients, BenchToken token, TimeSpan connectElapsed)
    {
        _clients = clients;
        _token = token;
        _heardBarrier = new bool[clients.Length];
        _poked = new bool[clients.Length];
        ConnectElapsed = connectElapsed;
        if (clients.Length <= 1)
        {
            _barrierComplete.TrySetResult();
        }

        _readers = new Task[clients.Length];
        for (var i = 0; i < clients.Length; i++)
        {
            _readers[i] = ReadAsync(i);
        }
    }

    public int Count => _clients.Length;

    public TimeSpan ConnectElapsed { get; }

    /// <summary>Clients whose connection the server closed while the room was open.</summary>
    public int Disconnected => Volatile.Read(ref _disconnected);

    /// <summary>
    /// Received lines that held a cut tag of this run, or more than one tag: a relay that forwards reads rather than
    /// lines has spliced lines together. Every intact tag in such a line still counts as delivered.
    /// </summary>
    public int Spliced => Volatile.Read(ref _spliced);

    /// <summary>Clients that had to be poked before they heard the barrier (see the type's remarks).</summary>
    public int Poked => _poked.Count(poked => poked);

    public IChatListener? Listener
    {
        get => _listener;
        set => _listener = value;
    }

    /// <summary>Connects <paramref name="count"/> clients, at most <paramref name="concurrency"/> at a time.</summary>
    public static Task<ChatRoom> ConnectAsync(
        IPEndPoint endpoint, int count, BenchToken token, int concurrency, CancellationToken cancellationToken) =>
        ConnectAsync([endpoint], count, token, concurrency, cancellationToken);

    /// <summary>As above, client i connecting to <paramref name="endpoints"/>[i mod n] (servers sharing one room).</summary>
    public static async Task<ChatRoom> ConnectAsync(
        IReadOnlyList<IPEndPoint> endpoints, int count, BenchToken token, int concurrency, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var clients = await ClientBatch.ConnectAsync(
            i => endpoints[i % endpoints.Count], count, concurrency, s_connectTimeout, null, "clients could connect to", cancellationToken);
        return new ChatRoom(clients, token, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>A room over clients connected elsewhere (the scale scenario connects and greets them itself).</summary>
    public static ChatRoom Over(LineClient[] clients, BenchToken token, TimeSpan connectElapsed) =>
        new(clients, token, connectElapsed);

    public ValueTask SendAsync(int client, ReadOnlyMemory<byte> line, CancellationToken cancellationToken) =>
        _clients[client].SendAsync(line, cancellationToken);

    /// <summary>
    /// Client 0 sends a barrier line until every other client has received one. It waits a short while for the first
    /// line and twice as long after each retry (at most <see cref="s_longestBarrierWait"/>), until
    /// <paramref name="budget"/> is spent; a retry helps clients whose connection was not yet served when the
    /// previous line went out.
    /// </summary>
    /// <returns>How many lines it took.</returns>
    public async Task<int> BarrierAsync(TimeSpan budget, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var wait = s_firstBarrierWait;
        var attempt = 0;
        while (true)
        {
            attempt++;
            await SendAsync(0, _token.Line(0, BenchToken.BarrierKind, attempt, "barrier"), cancellationToken);
            var left = budget - Stopwatch.GetElapsedTime(started);
            left = left > TimeSpan.Zero ? left : TimeSpan.Zero;
            try
            {
                await _barrierComplete.Task.WaitAsync(wait < left ? wait : left, cancellationToken);
                return attempt;
            }
            catch (TimeoutException)
            {
                // Clients the server has closed will never hear it; waiting on would only spend the budget.
                var hopeless = Disconnected > 0 && Volatile.Read(ref _barrierHeard) + Disconnected >= Count - 1;
                if (hopeless || Stopwatch.GetElapsedTime(started) >= budget)
                {
                    break;
                }

                // Send again: a relay only reaches the clients it already serves.
                await PokeUnheardAsync(cancellationToken);
                wait = wait * 2 < s_longestBarrierWait ? wait * 2 : s_longestBarrierWait;
            }
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        throw new BenchException(
            $"The readiness barrier failed: after {attempt} lines in {seconds:0} s only "
            + $"{Volatile.Read(ref _barrierHeard)} of {Count - 1} clients had received a line from client 0"
            + (Disconnected > 0 ? $", and the server had closed {Disconnected} connections." : "."));
    }

    /// <summary>A note for the report when readiness was not immediate, else null.</summary>
    public string? ReadinessNote(int attempts) =>
        attempts <= 1 ? null
        : Poked > 0
            ? $"The readiness barrier took {attempts} lines; {Poked} of {Count - 1} clients had not heard the first "
                + "and were each sent one byte, in case the server's full accept queue had dropped their connection "
                + "(only a client that sends completes it then)."
            : $"The readiness barrier took {attempts} lines.";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        ClientBatch.DisposeAll(_clients);
        await Task.WhenAll(_readers);
        _stop.Dispose();
    }

    private async Task PokeUnheardAsync(CancellationToken cancellationToken)
    {
        for (var i = 1; i < _clients.Length; i++)
        {
            if (!_poked[i] && !Volatile.Read(ref _heardBarrier[i]))
            {
                _poked[i] = true;
                await SendAsync(i, s_poke, cancellationToken);
            }
        }

        // Give the server a moment to accept the connections the pokes completed before the barrier line goes out.
        await Task.Delay(100, cancellationToken);
    }

    private async Task ReadAsync(int index)
    {
        // Yield first so that the constructor does not run K first reads inline.
        await Task.Yield();
        bool Visit(ReadOnlySpan<byte> line)
        {
            OnLine(index, line);
            return false;
        }

        try
        {
            await _clients[index].ReadLinesAsync(Visit, _stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException
            or BenchException)
        {
            // The room is closing, or the server dropped the client; both are counted below.
        }

        if (!_stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _disconnected);
        }
    }

    private void OnLine(int receiver, ReadOnlySpan<byte> line)
    {
        var tags = 0;
        var damaged = false;
        while (_token.TryReadNext(ref line, out var intact, out var sender, out var kind, out var number))
        {
            if (!intact)
            {
                damaged = true;
                continue;
            }

            tags++;
            if (sender != receiver)
            {
                OnTag(receiver, sender, kind, number);
            }
        }

        if (damaged || tags > 1)
        {
            Interlocked.Increment(ref _spliced);
        }
    }

    private void OnTag(int receiver, int sender, byte kind, int number)
    {
        if (kind == BenchToken.BarrierKind)
        {
            // Only this receiver's read loop writes its flag, so the flag needs no lock; the count does.
            if (!_heardBarrier[receiver])
            {
                _heardBarrier[receiver] = true;
                if (Interlocked.Increment(ref _barrierHeard) == Count - 1)
                {
                    _barrierComplete.TrySetResult();
                }
            }

            return;
        }

        _listener?.OnData(receiver, sender, number, Stopwatch.GetTimestamp());
    }
}

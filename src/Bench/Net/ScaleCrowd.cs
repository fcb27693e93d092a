using System.Diagnostics;
using System.Net;
using System.Text;

namespace ChatFork.Bench.Net;

/// <summary>
/// Many clients connected with at most a given number in flight, each counted as served only once it has read the
/// server's first line (when the server greets: ChatFork does, ncat does not). Unlike <see cref="ClientBatch"/> it is
/// not all or nothing: a server that stops short keeps the clients it served, and every other one is counted by
/// what happened to it (connect error, refusal, closed without a word, no line in time, never tried because the
/// phase ran out of time), so the report can say which limit was hit.
/// </summary>
internal sealed class ScaleCrowd
{
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(15);

    // Longer than ChatFork's --queue-timeout (30 s): a connection waiting for a worker is told "* server busy" then.
    private static readonly TimeSpan s_greetingTimeout = TimeSpan.FromSeconds(35);

    private readonly Dictionary<string, int> _refusals = [];
    private readonly Dictionary<string, int> _connectErrors = [];
    private LineClient?[] _clients = [];
    private long[] _greetedAt = [];
    private double[] _greetingMs = [];
    private int _closed;
    private int _silent;
    private int _notTried;

    public int Requested { get; private set; }

    /// <summary>Served clients, in the order they were started.</summary>
    public LineClient[] Served => _clients.Where(client => client is not null).ToArray()!;

    public int ConnectFailed => _connectErrors.Values.Sum();

    public IReadOnlyDictionary<string, int> ConnectErrors => _connectErrors;

    /// <summary>Refusals by the server's sentence.</summary>
    public IReadOnlyDictionary<string, int> Refusals => _refusals;

    /// <summary>Connections the server closed before it sent any line.</summary>
    public int ClosedWithoutALine => _closed;

    /// <summary>Connections that got no line within the greeting timeout.</summary>
    public int NoLineInTime => _silent;

    /// <summary>Clients never started because the connect phase ran out of time.</summary>
    public int NotTried => _notTried;

    /// <summary>From the start to the last client served.</summary>
    public TimeSpan LastServedAfter { get; private set; }

    /// <summary>Each served client's wait from starting its connect to its first line (or its connect, for ncat).</summary>
    public IReadOnlyList<double> GreetingMilliseconds => _greetingMs.Where(ms => ms >= 0).ToArray();

    public static async Task<ScaleCrowd> ConnectAsync(
        IPEndPoint endpoint,
        int count,
        int concurrency,
        bool expectGreeting,
        TimeSpan phaseLimit,
        CancellationToken cancellationToken)
    {
        var crowd = new ScaleCrowd
        {
            Requested = count,
            _clients = new LineClient?[count],
            _greetedAt = new long[count],
            _greetingMs = Enumerable.Repeat(-1.0, count).ToArray(),
        };
        var started = Stopwatch.GetTimestamp();
        using var gate = new SemaphoreSlim(concurrency);

        async Task OneAsync(int index)
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                if (Stopwatch.GetElapsedTime(started) > phaseLimit)
                {
                    Interlocked.Increment(ref crowd._notTried);
                    return;
                }

                await crowd.ConnectOneAsync(endpoint, index, expectGreeting, cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }

        try
        {
            await Task.WhenAll(Enumerable.Range(0, count).Select(OneAsync));
        }
        catch
        {
            ClientBatch.DisposeAll(crowd._clients);
            throw;
        }

        var last = crowd._greetedAt.Where(t => t != 0).DefaultIfEmpty(started).Max();
        crowd.LastServedAfter = Stopwatch.GetElapsedTime(started, last);
        return crowd;
    }

    private async Task ConnectOneAsync(IPEndPoint endpoint, int index, bool expectGreeting, CancellationToken cancellationToken)
    {
        var begun = Stopwatch.GetTimestamp();
        LineClient client;
        try
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(s_connectTimeout);
            client = await LineClient.ConnectAsync(endpoint, attempt.Token);
        }
        catch (Exception ex) when (ClientErrors.IsExpected(ex) && !cancellationToken.IsCancellationRequested)
        {
            Count(_connectErrors, ClientErrors.Describe(ex));
            return;
        }

        if (!expectGreeting)
        {
            MarkServed(index, client, begun);
            return;
        }

        string? first = null;
        try
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(s_greetingTimeout);
            var open = await client.ReadLinesAsync(
                line =>
                {
                    first = Encoding.UTF8.GetString(line);
                    return true;
                },
                attempt.Token);
            if (!open)
            {
                Interlocked.Increment(ref _closed);
                client.Dispose();
                return;
            }
        }
        catch (Exception ex) when (ClientErrors.IsExpected(ex) && !cancellationToken.IsCancellationRequested)
        {
            if (ex is OperationCanceledException)
            {
                Interlocked.Increment(ref _silent);
            }
            else
            {
                Interlocked.Increment(ref _closed);
            }

            client.Dispose();
            return;
        }

        if (first is not null && FirstLine.IsRefusal(first))
        {
            Count(_refusals, first.Trim());
            client.Dispose();
            return;
        }

        MarkServed(index, client, begun);
    }

    private void MarkServed(int index, LineClient client, long begun)
    {
        var now = Stopwatch.GetTimestamp();
        _clients[index] = client;
        _greetedAt[index] = now;
        _greetingMs[index] = Stopwatch.GetElapsedTime(begun, now).TotalMilliseconds;
    }

    private static void Count(Dictionary<string, int> counts, string key)
    {
        lock (counts)
        {
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
    }
}

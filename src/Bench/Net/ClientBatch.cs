using System.Net;

namespace ChatFork.Bench.Net;

/// <summary>
/// Many clients connected at once, at most a given number at a time, all or nothing: if any fails, every one is
/// closed and a sentence says how many made it. Shared by the chat room and the echo crowd.
/// </summary>
internal static class ClientBatch
{
    /// <param name="each">Run on every new client within its time bound (an echo to prove it is served); may be null.</param>
    /// <param name="what">How the report names them: "clients could connect to", "echo clients were served by".</param>
    public static Task<LineClient[]> ConnectAsync(
        IPEndPoint endpoint,
        int count,
        int concurrency,
        TimeSpan perClient,
        Func<LineClient, int, CancellationToken, Task>? each,
        string what,
        CancellationToken cancellationToken) =>
        ConnectAsync(_ => endpoint, count, concurrency, perClient, each, what, cancellationToken);

    /// <param name="endpointOf">Where client i connects.</param>
    public static async Task<LineClient[]> ConnectAsync(
        Func<int, IPEndPoint> endpointOf,
        int count,
        int concurrency,
        TimeSpan perClient,
        Func<LineClient, int, CancellationToken, Task>? each,
        string what,
        CancellationToken cancellationToken)
    {
        var clients = new LineClient?[count];
        var failed = 0;
        string? firstError = null;
        using var gate = new SemaphoreSlim(concurrency);

        async Task ConnectOneAsync(int index)
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(perClient);
                var client = await LineClient.ConnectAsync(endpointOf(index), attempt.Token);
                clients[index] = client;
                if (each is not null)
                {
                    await each(client, index, attempt.Token);
                }
            }
            catch (Exception ex) when (ClientErrors.IsExpected(ex) && !cancellationToken.IsCancellationRequested)
            {
                if (Interlocked.Increment(ref failed) == 1)
                {
                    firstError = ClientErrors.Describe(ex);
                }
            }
            finally
            {
                gate.Release();
            }
        }

        try
        {
            await Task.WhenAll(Enumerable.Range(0, count).Select(ConnectOneAsync));
        }
        catch
        {
            DisposeAll(clients);
            throw;
        }

        if (failed > 0)
        {
            DisposeAll(clients);
            throw new BenchException($"Only {count - failed} of {count} {what} {endpointOf(0)} (first error: {firstError}).");
        }

        return clients!;
    }

    public static void DisposeAll(LineClient?[] clients)
    {
        foreach (var client in clients)
        {
            client?.Dispose();
        }
    }
}

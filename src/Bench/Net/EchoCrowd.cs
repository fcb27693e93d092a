using System.Net;

namespace ChatFork.Bench.Net;

/// <summary>
/// C clients held open against an echo server, each of which has had one line echoed: the echo proves that the
/// server really serves the connection (a fork-per-connection server has started its process for it), which a
/// completed connect alone does not.
/// </summary>
internal sealed class EchoCrowd : IDisposable
{
    private static readonly TimeSpan s_perClient = TimeSpan.FromSeconds(15);

    private readonly LineClient[] _clients;

    private EchoCrowd(LineClient[] clients)
    {
        _clients = clients;
    }

    public int Count => _clients.Length;

    public static async Task<EchoCrowd> ConnectAsync(
        IPEndPoint endpoint, int count, BenchToken token, int concurrency, CancellationToken cancellationToken)
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
                attempt.CancelAfter(s_perClient);
                var client = await LineClient.ConnectAsync(endpoint, attempt.Token);
                clients[index] = client;
                if (!await EchoExchange.RoundTripAsync(client, token, index, 0, attempt.Token))
                {
                    throw new IOException("closed by the server");
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
            throw new BenchException(
                $"Only {count - failed} of {count} echo clients were served by {endpoint} (first error: {firstError}).");
        }

        return new EchoCrowd(clients!);
    }

    public void Dispose() => DisposeAll(_clients);

    private static void DisposeAll(LineClient?[] clients)
    {
        foreach (var client in clients)
        {
            client?.Dispose();
        }
    }
}

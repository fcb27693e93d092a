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
        var clients = await ClientBatch.ConnectAsync(endpoint, count, concurrency, s_perClient, async (client, index, ct) =>
        {
            if (!await EchoExchange.RoundTripAsync(client, token, index, 0, ct))
            {
                throw new IOException("closed by the server");
            }
        }, "echo clients were served by", cancellationToken);
        return new EchoCrowd(clients);
    }

    public void Dispose() => ClientBatch.DisposeAll(_clients);
}

using ChatFork.Bench.Measure;
using ChatFork.Bench.Net;
using ChatFork.Bench.Results;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Scenarios;

/// <summary>
/// C clients connect at the same moment and each has one line echoed. Measures how a server copes with a burst of
/// accepts: whether every client is served and how long until the last one is.
/// </summary>
internal sealed class EchoBurstScenario : IScenario
{
    private static readonly TimeSpan s_perClient = TimeSpan.FromSeconds(15);

    private readonly int _clients;

    public EchoBurstScenario(int clients)
    {
        _clients = clients;
    }

    public string Name => "echo-burst";

    public ServerMode? Needs => ServerMode.Echo;

    public int MaxClients => _clients;

    public async Task RunAsync(ScenarioContext context, ScenarioResult result, CancellationToken cancellationToken)
    {
        var token = BenchToken.ForNewRun();
        var latencies = new double[_clients];
        var finishedAt = new long[_clients];
        var errors = new string?[_clients];
        var clients = new LineClient?[_clients];

        async Task OneAsync(int index)
        {
            var begin = Clock.Now;
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(s_perClient);
                var client = clients[index] = await LineClient.ConnectAsync(context.Endpoint, attempt.Token);
                if (!await EchoExchange.RoundTripAsync(client, token, index, 0, attempt.Token))
                {
                    throw new IOException("the server closed the connection before echoing");
                }

                finishedAt[index] = Clock.Now;
                latencies[index] = Clock.Milliseconds(begin, finishedAt[index]);
            }
            catch (Exception ex) when (ClientErrors.IsExpected(ex))
            {
                errors[index] = ClientErrors.Describe(ex);
            }
        }

        var started = Clock.Now;
        try
        {
            // Every client stays connected until all are done, so the server holds C connections at its peak.
            await Task.WhenAll(Enumerable.Range(0, _clients).Select(OneAsync));
        }
        finally
        {
            foreach (var client in clients)
            {
                client?.Dispose();
            }
        }

        var served = Enumerable.Range(0, _clients).Where(i => errors[i] is null).ToList();
        var failed = _clients - served.Count;
        if (failed > 0)
        {
            var reasons = errors.Where(error => error is not null).GroupBy(error => error)
                .Select(group => $"{group.Count()} {group.Key}");
            result.Notes.Add($"{failed} of {_clients} clients were not served: {string.Join(", ", reasons)}.");
        }

        var percentiles = new Percentiles(served.Select(i => latencies[i]));
        result.Add("served", "clients served", served.Count, "", Better.Higher);
        result.Add("failed", "clients failed", failed, "", Better.Lower);
        result.Add(
            "last_echo_ms",
            "last echo after",
            served.Count == 0 ? null : Clock.Milliseconds(started, served.Max(i => finishedAt[i])),
            "ms",
            Better.Lower);
        result.Add("latency_p50_ms", "latency p50", percentiles.At(50), "ms", Better.Lower);
        result.Add("latency_p99_ms", "latency p99", percentiles.At(99), "ms", Better.Lower);
        result.Samples["latency_ms"] = [.. served.Select(i => latencies[i])];
    }
}

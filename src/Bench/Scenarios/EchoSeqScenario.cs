using ChatFork.Bench.Measure;
using ChatFork.Bench.Net;
using ChatFork.Bench.Results;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Scenarios;

/// <summary>
/// Connect, send a line, read its echo, close; N times in a row. For a fork-per-connection server this is the cost of
/// starting a process per connection, so connections per second is the headline figure.
/// </summary>
internal sealed class EchoSeqScenario : IScenario
{
    private const int MaxFailuresInARow = 20;

    private static readonly TimeSpan s_perConnection = TimeSpan.FromSeconds(5);

    private readonly int _count;

    public EchoSeqScenario(int count)
    {
        _count = count;
    }

    public string Name => "echo-seq";

    public ServerMode? Needs => ServerMode.Echo;

    public int MaxClients => 1;

    public async Task RunAsync(ScenarioContext context, ScenarioResult result, CancellationToken cancellationToken)
    {
        var token = BenchToken.ForNewRun();
        var latencies = new List<double>(_count);
        var failures = 0;
        var failuresInARow = 0;
        string? firstError = null;
        var started = Clock.Now;
        var attempted = 0;
        var gaveUp = false;
        for (var i = 0; i < _count && !cancellationToken.IsCancellationRequested && !context.BudgetSpent(started); i++)
        {
            attempted++;
            var begin = Clock.Now;
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(s_perConnection);
                using var client = await LineClient.ConnectAsync(context.Endpoint, attempt.Token);
                if (!await EchoExchange.RoundTripAsync(client, token, 0, i, attempt.Token))
                {
                    throw new IOException("the server closed the connection before echoing");
                }

                latencies.Add(Clock.MillisecondsSince(begin));
                failuresInARow = 0;
            }
            catch (Exception ex) when (ClientErrors.IsExpected(ex))
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                failures++;
                firstError ??= ClientErrors.Describe(ex);
                if (++failuresInARow >= MaxFailuresInARow)
                {
                    result.Notes.Add($"Stopped after {MaxFailuresInARow} failed connections in a row.");
                    gaveUp = true;
                    break;
                }
            }
        }

        var elapsedSeconds = Clock.MillisecondsSince(started) / 1000.0;
        if (attempted < _count && !gaveUp)
        {
            result.Notes.Add(
                $"Stopped by the time bound after {attempted} of {_count} connections; the figures cover those.");
        }

        if (firstError is not null)
        {
            result.Notes.Add($"{failures} connections failed; the first because: {firstError}.");
        }

        var percentiles = new Percentiles(latencies);
        result.Add("connections", "connections echoed", latencies.Count, "", Better.Higher);
        result.Add("failed", "failed", failures, "", Better.Lower);
        result.Add("conns_per_s", "connections/s", latencies.Count / Math.Max(elapsedSeconds, 1e-9), "/s", Better.Higher);
        result.Add("latency_p50_ms", "latency p50", percentiles.At(50), "ms", Better.Lower);
        result.Add("latency_p90_ms", "latency p90", percentiles.At(90), "ms", Better.Lower);
        result.Add("latency_p99_ms", "latency p99", percentiles.At(99), "ms", Better.Lower);
        result.Samples["latency_ms"] = [.. latencies];
    }
}

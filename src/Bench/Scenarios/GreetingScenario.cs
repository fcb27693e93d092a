using ChatFork.Bench.Measure;
using ChatFork.Bench.Net;
using ChatFork.Bench.Results;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Scenarios;

/// <summary>
/// Connect and time the first whole line the server sends, N times in a row; or, with <see cref="LastLineContains"/>,
/// the line that ends the greeting. ChatFork's process model writes the first line (the welcome) from the supervisor
/// just before it hands the connection to a worker, so that figure is the time to accept and pick a worker (warm from
/// the pool, or cold from a fresh process); the rest of the greeting comes from the worker once it holds the socket.
/// A server that sends nothing on connect has no greeting: n/a.
/// </summary>
internal sealed class GreetingScenario : IScenario
{
    private const int MaxFailuresInARow = 20;

    private static readonly TimeSpan s_firstProbe = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_perConnection = TimeSpan.FromSeconds(5);

    private readonly int _count;
    private readonly byte[]? _lastLine;

    public GreetingScenario(int count)
    {
        _count = count;
    }

    public string Name => "greeting";

    public ServerMode? Needs => null;

    public int MaxClients => 1;

    /// <summary>
    /// Awaited before each timed connect, outside the timing; the lab uses it to let the server go idle (and refill
    /// its pool of workers) between connects. Null: connect at once.
    /// </summary>
    public Func<CancellationToken, Task>? BeforeEachAsync { get; init; }

    /// <summary>
    /// A pause after each connection, outside the timing: the connection rate then stays at what the server can
    /// sustain (a pool refilled, the last worker gone), so the figure is the latency of one connection, not of a
    /// queue behind back-to-back ones (echo-seq measures that). Zero: back to back.
    /// </summary>
    public TimeSpan Gap { get; init; }

    /// <summary>
    /// Text (ASCII) found in the greeting's last line, e.g. ChatFork's <c>/help lists the commands</c>: the time is
    /// taken when that line arrives. Null: the first line.
    /// </summary>
    public string? LastLineContains
    {
        get => _lastLine is null ? null : System.Text.Encoding.ASCII.GetString(_lastLine);
        init => _lastLine = value is null ? null : System.Text.Encoding.ASCII.GetBytes(value);
    }

    public async Task RunAsync(ScenarioContext context, ScenarioResult result, CancellationToken cancellationToken)
    {
        var latencies = new List<double>(_count);
        var failures = 0;
        var failuresInARow = 0;
        var attempted = 0;
        var gaveUp = false;
        string? firstError = null;
        var started = Clock.Now;
        for (var i = 0; i < _count && !cancellationToken.IsCancellationRequested && !context.BudgetSpent(started); i++)
        {
            if (i > 0 && Gap > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(Gap, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            if (BeforeEachAsync is { } beforeEach)
            {
                try
                {
                    await beforeEach(cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
            }

            attempted++;
            var begin = Clock.Now;
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(i == 0 ? s_firstProbe : s_perConnection);
                using var client = await LineClient.ConnectAsync(context.Endpoint, attempt.Token);
                var lastLine = _lastLine;
                if (!await client.ReadLinesAsync(line => lastLine is null || line.IndexOf(lastLine) >= 0, attempt.Token))
                {
                    throw new IOException("the server closed the connection without sending a line");
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

                if (i == 0 && ex is OperationCanceledException)
                {
                    result.Notes.Add(
                        $"The server sent no line within {s_firstProbe.TotalSeconds:0} s of a connect, so it has no "
                        + "greeting to time.");
                    gaveUp = true;
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
        result.Add("greetings", "greetings timed", latencies.Count, "");
        result.Add("failed", "failed", failures, "", Better.Lower);
        var what = _lastLine is null ? "first line" : "whole greeting";
        result.Add("greeting_p50_ms", $"{what} p50", percentiles.At(50), "ms", Better.Lower);
        result.Add("greeting_p90_ms", $"{what} p90", percentiles.At(90), "ms", Better.Lower);
        result.Add("greeting_p99_ms", $"{what} p99", percentiles.At(99), "ms", Better.Lower);
        result.Samples["greeting_ms"] = [.. latencies];
    }
}

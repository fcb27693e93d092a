using ChatFork.Bench.Measure;
using ChatFork.Bench.Net;
using ChatFork.Bench.Results;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Scenarios;

/// <summary>
/// One client of K sends one line, R times, waiting each time until all K-1 others have it. The time to the last
/// receipt is what a chat user waits for "everyone has seen it"; a fork-per-connection relay pays one hop per
/// receiver.
/// </summary>
internal sealed class FanoutScenario : IScenario
{
    private static readonly TimeSpan s_perRound = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_spacing = TimeSpan.FromMilliseconds(10);

    // Readiness is not timed, and a server that accepts slowly (ncat, with many clients) may need a while.
    private static readonly TimeSpan s_barrierBudget = TimeSpan.FromSeconds(30);

    private readonly int _clients;
    private readonly int _rounds;

    public FanoutScenario(int clients, int rounds)
    {
        _clients = clients;
        _rounds = rounds;
    }

    public string Name => "fanout";

    public ServerMode? Needs => ServerMode.Chat;

    public int MaxClients => _clients;

    /// <summary>
    /// Awaited once every client is proved to be served (after the readiness barrier), before anything is timed; the
    /// lab uses it to let the server go idle first. Null: go on at once.
    /// </summary>
    public Func<CancellationToken, Task>? AfterBarrierAsync { get; init; }

    public async Task RunAsync(ScenarioContext context, ScenarioResult result, CancellationToken cancellationToken)
    {
        var token = BenchToken.ForNewRun();
        var tally = new FanoutTally(_clients);
        var last = new List<double>(_rounds);
        var first = new List<double>(_rounds);
        var missing = 0;
        var incomplete = 0;
        var played = 0;
        await using (var room = await ChatRoom.ConnectAsync(context.ChatEndpoints, _clients, token, 64, cancellationToken))
        {
            var attempts = await room.BarrierAsync(s_barrierBudget, cancellationToken);
            if (room.ReadinessNote(attempts) is { } readiness)
            {
                result.Notes.Add(readiness);
            }

            if (AfterBarrierAsync is { } afterBarrier)
            {
                await afterBarrier(cancellationToken);
            }

            room.Listener = tally;
            await context.BeginCountingAsync(cancellationToken);
            var started = Clock.Now;
            for (var round = 0;
                round < _rounds && !cancellationToken.IsCancellationRequested && !context.BudgetSpent(started);
                round++)
            {
                played++;
                var complete = tally.BeginRound(round, _clients - 1);
                var line = token.Line(0, BenchToken.DataKind, round, "fanout");
                var sent = Clock.Now;
                await room.SendAsync(0, line, cancellationToken);
                try
                {
                    await complete.WaitAsync(s_perRound, cancellationToken);
                }
                catch (TimeoutException)
                {
                    incomplete++;
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                var (count, firstAt, lastAt) = tally.Summary();
                missing += _clients - 1 - count;
                if (count == _clients - 1)
                {
                    last.Add(Clock.Milliseconds(sent, lastAt));
                    first.Add(Clock.Milliseconds(sent, firstAt));
                }

                await Task.Delay(s_spacing, CancellationToken.None);
            }

            await context.EndCountingAsync(cancellationToken);
        }

        if (played < _rounds)
        {
            result.Notes.Add($"Stopped by the time bound after {played} of {_rounds} rounds; the figures cover those.");
        }

        if (incomplete > 0)
        {
            result.Notes.Add(
                $"{incomplete} rounds did not reach every client within {s_perRound.TotalSeconds:0} s "
                + $"({missing} receipts missing in all).");
        }

        var lastPercentiles = new Percentiles(last);
        var firstPercentiles = new Percentiles(first);
        result.Add("rounds_complete", "rounds reaching all", last.Count, "", Better.Higher);
        result.Add("missing", "receipts missing", missing, "", Better.Lower);
        result.Add("deliveries", "receipts in the timed rounds", played * (_clients - 1) - missing, "", Better.Higher);
        result.Add("last_p50_ms", "last receipt p50", lastPercentiles.At(50), "ms", Better.Lower);
        result.Add("last_p90_ms", "last receipt p90", lastPercentiles.At(90), "ms", Better.Lower);
        result.Add("last_p99_ms", "last receipt p99", lastPercentiles.At(99), "ms", Better.Lower);
        result.Add("first_p50_ms", "first receipt p50", firstPercentiles.At(50), "ms", Better.Lower);
        result.Samples["last_receipt_ms"] = [.. last];
        result.Samples["first_receipt_ms"] = [.. first];
    }
}

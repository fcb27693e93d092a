using ChatFork.Bench.Measure;
using ChatFork.Bench.Net;
using ChatFork.Bench.Results;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Scenarios;

/// <summary>
/// K chat clients each send M lines as fast as they can, all at once; every client should receive every other
/// client's lines exactly once and in each sender's order, (K-1)*M lines per client. Measures relay throughput and
/// whether the relay loses, duplicates or reorders under load.
/// </summary>
internal sealed class ChatBurstScenario : IScenario
{
    private const string Filler = "the quick brown fox jumps over the lazy dog";

    // Gives up waiting when nothing new has arrived for this long: a lost line never comes.
    private static readonly TimeSpan s_quietLimit = TimeSpan.FromSeconds(5);

    // Readiness is not timed, and a server that accepts slowly (ncat, with many clients) may need a while.
    private static readonly TimeSpan s_barrierBudget = TimeSpan.FromSeconds(30);

    private readonly int _clients;
    private readonly int _messages;

    public ChatBurstScenario(int clients, int messages)
    {
        _clients = clients;
        _messages = messages;
    }

    public string Name => "chat-burst";

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
        var lines = Enumerable.Range(0, _clients)
            .Select(sender => Enumerable.Range(0, _messages)
                .Select(number => token.Line(sender, BenchToken.DataKind, number, Filler)).ToArray())
            .ToArray();
        var tally = new ChatBurstTally(_clients, _messages);
        var room = await ChatRoom.ConnectAsync(context.ChatEndpoints, _clients, token, 64, cancellationToken);
        long started;
        string? sendError = null;
        try
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
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            async Task SendAllAsync(int sender)
            {
                await go.Task;
                foreach (var line in lines[sender])
                {
                    await room.SendAsync(sender, line, cancellationToken);
                }
            }

            var senders = Enumerable.Range(0, _clients).Select(SendAllAsync).ToArray();
            await context.BeginCountingAsync(cancellationToken);
            started = Clock.Now;
            go.SetResult();
            await WaitForDeliveriesAsync(tally, result, cancellationToken);
            await context.EndCountingAsync(cancellationToken);
            try
            {
                await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
            }
            catch (Exception ex) when (ClientErrors.IsExpected(ex) || ex is TimeoutException)
            {
                sendError = ex is TimeoutException ? "sending had not finished" : ClientErrors.Describe(ex);
            }
        }
        finally
        {
            // Closing the room ends its read loops, after which the tally is read without racing them.
            await room.DisposeAsync();
        }

        if (sendError is not null)
        {
            result.Notes.Add($"Not every client could send all its lines: {sendError}.");
        }

        if (room.Disconnected > 0)
        {
            result.Notes.Add($"The server closed {room.Disconnected} of the {_clients} connections during the run.");
        }

        if (room.Spliced > 0)
        {
            result.Notes.Add(
                $"{room.Spliced} received lines were spliced from pieces of several sent lines (the relay forwards "
                + "reads, not whole lines); the intact tags in them were counted as delivered.");
        }

        if (tally.Stray > 0)
        {
            result.Notes.Add($"{tally.Stray} lines carried this run's tag with an impossible sender or number.");
        }

        var delivered = tally.Delivered;
        var lastReceipt = tally.LastReceipt;
        double? elapsedMs = lastReceipt > started ? Clock.Milliseconds(started, lastReceipt) : null;
        result.Add("expected", "deliveries expected", tally.Expected, "");
        result.Add("delivered", "deliveries", delivered, "", Better.Higher);
        result.Add("lost", "lost", tally.Expected - delivered, "", Better.Lower);
        result.Add("duplicated", "duplicated", tally.Duplicates, "", Better.Lower);
        result.Add("out_of_order", "out of order", tally.OutOfOrder, "", Better.Lower);
        result.Add("spliced_lines", "spliced lines received", room.Spliced, "", Better.Lower);
        var bySender = tally.OutOfOrderBySender();
        result.Add("senders_out_of_order", "senders with out-of-order lines", bySender.Count(n => n > 0), "", Better.Lower);
        result.Add("last_receipt_ms", "send start to last receipt", elapsedMs, "ms", Better.Lower);
        result.Add(
            "deliveries_per_s", "deliveries/s", elapsedMs is { } ms ? delivered / (ms / 1000.0) : null, "/s", Better.Higher);
        result.Samples["out_of_order_by_sender"] = bySender;
        result.Samples["lost_by_sender"] = tally.LostBySender();
        result.Samples["lost_by_receiver"] = tally.LostByReceiver();
    }

    private static async Task WaitForDeliveriesAsync(
        ChatBurstTally tally, ScenarioResult result, CancellationToken cancellationToken)
    {
        var lastCount = -1L;
        var lastProgress = Clock.Now;
        while (tally.Delivered < tally.Expected)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                result.Notes.Add("Cut short by the time bound while deliveries were still arriving.");
                return;
            }

            await Task.Delay(5, CancellationToken.None);
            var count = tally.Delivered;
            if (count != lastCount)
            {
                lastCount = count;
                lastProgress = Clock.Now;
            }
            else if (Clock.MillisecondsSince(lastProgress) > s_quietLimit.TotalMilliseconds)
            {
                result.Notes.Add(
                    $"Stopped waiting after {s_quietLimit.TotalSeconds:0} s without a new delivery.");
                return;
            }
        }
    }
}

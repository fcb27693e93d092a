using ChatFork.Supervisor.Room;
using NLog;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// Flow control between the room and the workers that feed it: who waits for whom.
/// <list type="bullet">
/// <item>Each worker's outbox reports its level: normal, <em>congested</em> (its queue is past the high-water mark,
///   half of <c>--worker-queue</c>) or <em>full</em> (past <c>--worker-queue</c>).</item>
/// <item>While any outbox is congested, the room takes chat lines more slowly from the senders responsible: a sender
///   whose small congestion allowance (<see cref="SenderAllowance"/>: a person typing stays within it) is spent
///   waits until the congestion clears. Its pipe is then not read, so its worker blocks on the pipe and stops reading
///   its client's socket, and TCP slows the client itself.</item>
/// <item>While any outbox is full, every sender waits: nothing more is accepted than the room can deliver. An
///   outbox that is congested or full and makes no progress for <c>--slow-consumer-timeout</c> is dropped as a slow
///   consumer (housekeeping); one that drains ends the wait.</item>
/// <item>At most <see cref="TransitLimit"/> bytes of chat lines are between the pipe readers and the outboxes at once,
///   so a queue found congested grows by little more before the senders stop.</item>
/// </list>
/// Counters change from the room's loop (queues grow) and from the outboxes' write loops (queues drain); waiters are
/// woken whenever a level falls.
/// </summary>
internal sealed class RoomFlow : ILineBudget
{
    /// <summary>
    /// Bytes of chat lines that may be on their way through the room (posted, not yet delivered) before senders wait:
    /// what can still reach a queue after it was found congested, so less than any queue's reserve.
    /// </summary>
    public const int TransitLimit = 32 * 1024;

    private static readonly Logger s_log = LogManager.GetLogger("flow");

    private int _congested;
    private int _full;
    private long _inTransit;
    private TaskCompletionSource _fell = NewSignal();

    /// <summary>An outbox's level.</summary>
    public enum Level
    {
        Normal = 0,
        Congested = 1,
        Full = 2,
    }

    /// <summary>
    /// The one rule for a member's level, whether its backlog is a pipe's queue (<see cref="WorkerOutbox"/>) or its
    /// distance behind the shared ring (<c>RingCursor</c>): normal up to <paramref name="highWater"/>, congested past
    /// it, full past <paramref name="full"/>; a member that takes nothing any more (closed) holds nobody back.
    /// </summary>
    public static Level LevelOf(bool holdsBack, long backlog, long highWater, long full) =>
        !holdsBack ? Level.Normal
        : backlog > full ? Level.Full
        : backlog > highWater ? Level.Congested
        : Level.Normal;

    public bool IsCongested => Volatile.Read(ref _congested) > 0;

    public bool IsFull => Volatile.Read(ref _full) > 0;

    /// <summary>Bytes of chat lines posted to the room and not yet delivered.</summary>
    public long InTransit => Interlocked.Read(ref _inTransit);

    public void Taken(int bytes) => Interlocked.Add(ref _inTransit, bytes);

    public void Returned(int bytes)
    {
        var after = Interlocked.Add(ref _inTransit, -bytes);
        if (after <= TransitLimit && after + bytes > TransitLimit)
        {
            Wake();
        }
    }

    /// <summary>An outbox moved from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public void Moved(Level from, Level to)
    {
        if (from == to)
        {
            return;
        }

        if (from >= Level.Congested && Interlocked.Decrement(ref _congested) == 0)
        {
            s_log.Debug("no worker is behind any more: every sender may go at full speed");
        }

        if (from == Level.Full)
        {
            Interlocked.Decrement(ref _full);
        }

        if (to >= Level.Congested && Interlocked.Increment(ref _congested) == 1)
        {
            s_log.Debug("a worker's queue passed half of --worker-queue: heavy senders wait");
        }

        if (to == Level.Full)
        {
            Interlocked.Increment(ref _full);
        }

        if (to < from)
        {
            Wake();
        }
    }

    /// <summary>
    /// Waits until the room may take one more chat line from a sender with <paramref name="allowance"/>. Returns at
    /// once when nothing is congested and little is in transit (the common case), without allocating.
    /// </summary>
    /// <remarks>
    /// Only posted lines count in transit (<see cref="RentedLine.CountedBy"/>). Lines a sender has decoded and not
    /// posted yet must not: two senders each holding a batch past <see cref="TransitLimit"/> would each wait for the
    /// other's batch to be delivered, forever (the bench's chat-burst stalled so, with 50 senders).
    /// </remarks>
    public ValueTask AdmitAsync(SenderAllowance allowance, CancellationToken cancellationToken = default)
    {
        if (!IsCongested && InTransit <= TransitLimit)
        {
            return ValueTask.CompletedTask;
        }

        return new ValueTask(WaitAsync(allowance, cancellationToken));
    }

    private async Task WaitAsync(SenderAllowance allowance, CancellationToken cancellationToken)
    {
        while (true)
        {
            var fell = Volatile.Read(ref _fell).Task;
            var transitFull = InTransit > TransitLimit;
            if (!IsCongested && !transitFull)
            {
                return;
            }

            if (!IsFull && !transitFull && allowance.TryTake())
            {
                return;
            }

            // Re-check when a level or the transit falls, or when the allowance has another token (bounded either way).
            var wait = IsFull || transitFull ? TimeSpan.FromMilliseconds(100) : allowance.UntilNextToken();
            await fell.WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private void Wake() => Interlocked.Exchange(ref _fell, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

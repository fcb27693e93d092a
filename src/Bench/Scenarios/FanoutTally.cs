using ChatFork.Bench.Net;

namespace ChatFork.Bench.Scenarios;

/// <summary>
/// Records when each receiver got the current round's line from client 0. A round is armed before its line is sent;
/// lines of other rounds (late stragglers) are ignored.
/// </summary>
internal sealed class FanoutTally : IChatListener
{
    private readonly long[] _receivedAt;
    private int _round = -1;
    private int _count;
    private int _expected;
    private TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FanoutTally(int clients)
    {
        _receivedAt = new long[clients];
    }

    /// <summary>Arms round <paramref name="round"/>; the task completes when <paramref name="expected"/> receivers have it.</summary>
    public Task BeginRound(int round, int expected)
    {
        Array.Clear(_receivedAt);
        _count = 0;
        _expected = expected;
        _complete = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Published last: a read loop that sees the new round number also sees the reset state above.
        Volatile.Write(ref _round, round);
        return _complete.Task;
    }

    /// <summary>How many receivers have the round's line, and the first and last receipt timestamps.</summary>
    public (int Count, long First, long Last) Summary()
    {
        var times = _receivedAt.Where(t => t != 0).ToArray();
        return times.Length == 0 ? (0, 0, 0) : (times.Length, times.Min(), times.Max());
    }

    /// <summary>The receipt timestamps of the current round, one per receiver that has it.</summary>
    public IReadOnlyList<long> ReceiptTimes() => _receivedAt.Where(t => t != 0).ToArray();

    public void OnData(int receiver, int sender, int number, long timestamp)
    {
        if (sender != 0 || number != Volatile.Read(ref _round) || _receivedAt[receiver] != 0)
        {
            return;
        }

        _receivedAt[receiver] = timestamp;
        if (Interlocked.Increment(ref _count) == _expected)
        {
            _complete.TrySetResult();
        }
    }
}

using ChatFork.Bench.Net;

namespace ChatFork.Bench.Scenarios;

/// <summary>
/// Counts what each chat-burst receiver got from each sender: first deliveries, duplicates, and lines that arrived
/// after a later line of the same sender. Each receiver's arrays are written only by that receiver's read loop, so
/// they need no locks; only the progress total is shared.
/// </summary>
internal sealed class ChatBurstTally : IChatListener
{
    private readonly int _clients;
    private readonly int _messages;
    private readonly bool[][] _seen;
    private readonly int[][] _highest;
    private readonly long[][] _outOfOrder;
    private readonly long[] _duplicates;
    private readonly long[] _stray;
    private readonly long[] _lastReceipt;
    private long _delivered;

    public ChatBurstTally(int clients, int messages)
    {
        _clients = clients;
        _messages = messages;
        _seen = new bool[clients][];
        _highest = new int[clients][];
        _outOfOrder = new long[clients][];
        for (var i = 0; i < clients; i++)
        {
            _seen[i] = new bool[clients * messages];
            _highest[i] = Enumerable.Repeat(-1, clients).ToArray();
            _outOfOrder[i] = new long[clients];
        }

        _duplicates = new long[clients];
        _stray = new long[clients];
        _lastReceipt = new long[clients];
    }

    /// <summary>Every receiver gets every line of every other sender once.</summary>
    public long Expected => (long)_clients * (_clients - 1) * _messages;

    /// <summary>First deliveries so far.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    public long Duplicates => _duplicates.Sum();

    public long Stray => _stray.Sum();

    public long OutOfOrder => _outOfOrder.Sum(row => row.Sum());

    /// <summary>For each sender, out-of-order arrivals summed over all receivers.</summary>
    public double[] OutOfOrderBySender() =>
        Enumerable.Range(0, _clients).Select(sender => (double)_outOfOrder.Sum(row => row[sender])).ToArray();

    /// <summary>For each sender, its lines that some receiver never got, summed over receivers.</summary>
    public double[] LostBySender() =>
        Enumerable.Range(0, _clients).Select(sender => (double)Enumerable.Range(0, _clients)
            .Where(receiver => receiver != sender)
            .Sum(receiver => _seen[receiver].AsSpan(sender * _messages, _messages).Count(false))).ToArray();

    /// <summary>For each receiver, the lines of other senders it never got.</summary>
    public double[] LostByReceiver() =>
        Enumerable.Range(0, _clients).Select(receiver =>
            (double)(_seen[receiver].AsSpan().Count(false) - _messages)).ToArray();

    /// <summary>The timestamp of the latest receipt at any receiver, or 0 if none.</summary>
    public long LastReceipt => _lastReceipt.Max();

    public void OnData(int receiver, int sender, int number, long timestamp)
    {
        if ((uint)sender >= (uint)_clients || (uint)number >= (uint)_messages)
        {
            _stray[receiver]++;
            return;
        }

        _lastReceipt[receiver] = timestamp;
        ref var seen = ref _seen[receiver][(sender * _messages) + number];
        if (seen)
        {
            _duplicates[receiver]++;
            return;
        }

        seen = true;
        ref var highest = ref _highest[receiver][sender];
        if (number < highest)
        {
            _outOfOrder[receiver][sender]++;
        }
        else
        {
            highest = number;
        }

        Interlocked.Increment(ref _delivered);
    }
}

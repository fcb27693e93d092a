using ChatFork.Bench.Measure;

namespace ChatFork.Bench.Lab;

/// <summary>
/// Waits, outside any timing, until the server's tree is idle: its processes all there (for the process model: the
/// root, a worker per connected client and a full pool) and its CPU quiet. Every model is measured from the same
/// idle state this way, and the process model's greetings find a pooled worker (warm), as they would on a server
/// that is not being hammered. Gives up after a bound and counts it, so that a busy machine slows the lab down but
/// does not stop it.
/// </summary>
internal sealed class IdleWait
{
    private static readonly TimeSpan s_step = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan s_quietFor = TimeSpan.FromMilliseconds(150);

    // A clock tick is 10 ms: one in 50 ms is an idle tree with a timer or two, not one starting a process.
    private const ulong TicksPerStep = 1;

    private readonly int _root;
    private readonly int _expectedProcesses;
    private readonly TimeSpan _limit;
    private int _waits;
    private int _missed;

    public IdleWait(int root, int expectedProcesses, TimeSpan limit)
    {
        _root = root;
        _expectedProcesses = expectedProcesses;
        _limit = limit;
    }

    /// <summary>A sentence when some waits ran out before the tree was idle, else null.</summary>
    public string? Note(string what) => _missed == 0 ? null
        : $"{what}: {_missed} of {_waits} waits for an idle server (at least {_expectedProcesses} processes, quiet CPU) "
            + $"gave up after {_limit.TotalSeconds:0.#} s; those measurements began with the server still busy.";

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        _waits++;
        if (!await ProcessTree.WaitUntilQuietAsync(
            _root, _expectedProcesses, s_step, s_quietFor, TicksPerStep, _limit, null, cancellationToken))
        {
            _missed++;
        }
    }
}

using ChatFork.Platform;

namespace ChatFork.Tests.Unit.Fakes;

/// <summary>A worker process that is never started: records kills, and exits when a test says so.</summary>
internal sealed class FakeWorkerProcess : IWorkerProcess
{
    private static int s_nextId = 900_000;
    private Action? _exited;

    public int Id { get; } = Interlocked.Increment(ref s_nextId);

    public int ExitCode { get; private set; }

    public int Kills { get; private set; }

    public bool HasExited { get; private set; }

    public void OnExit(Action exited) => _exited = exited;

    public void Kill() => Kills++;

    public void Exit(int code)
    {
        ExitCode = code;
        HasExited = true;
        _exited?.Invoke();
    }

    public void Dispose()
    {
    }
}

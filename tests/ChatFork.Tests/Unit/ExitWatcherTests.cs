using ChatFork.Platform;
using ChatFork.Supervisor.ProcessModel;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>The exit watcher's one thread, driven with stand-in processes whose exit the test decides.</summary>
[TestFixture]
public sealed class ExitWatcherTests
{
    [Test]
    public async Task Each_exit_is_reported_once_and_only_after_it_happened()
    {
        using var watcher = new ExitWatcher();
        watcher.Start();
        var gone = new StandIn();
        var alive = new StandIn();
        var reports = new List<StandIn>();
        watcher.Watch(gone, () => { lock (reports) { reports.Add(gone); } });
        watcher.Watch(alive, () => { lock (reports) { reports.Add(alive); } });

        gone.Exited = true;
        Assert.That(await EventuallyAsync(() => { lock (reports) { return reports.Count == 1; } }), Is.True, "the exit was not reported");
        await Task.Delay(ExitWatcher.SweepInterval * 3);

        lock (reports)
        {
            Assert.That(reports, Is.EqualTo(new[] { gone }), "reported once; the live one not at all");
        }

        Assert.That(watcher.Count, Is.EqualTo(1));
        watcher.Stop();
    }

    [Test]
    public async Task A_suspect_is_reported_once_it_has_exited_and_one_reported_already_is_ignored()
    {
        using var watcher = new ExitWatcher();
        watcher.Start();
        var worker = new StandIn();
        var reported = 0;
        watcher.Watch(worker, () => Interlocked.Increment(ref reported));
        watcher.Suspect(worker);
        Assert.That(await EventuallyAsync(() => worker.Asked > 0), Is.True, "a suspect is asked about");
        Assert.That(Volatile.Read(ref reported), Is.Zero, "not reported while it lives");

        worker.Exited = true;
        watcher.Suspect(worker);
        Assert.That(await EventuallyAsync(() => Volatile.Read(ref reported) == 1), Is.True);
        worker.Disposed = true; // the reaper disposes it: asking now would throw
        watcher.Suspect(worker);
        await Task.Delay(ExitWatcher.SweepInterval * 2);
        Assert.That(Volatile.Read(ref reported), Is.EqualTo(1));
        watcher.Stop();
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        return condition();
    }

    private sealed class StandIn : IWorkerProcess
    {
        private int _asked;

        public volatile bool Exited;
        public volatile bool Disposed;

        public int Asked => Volatile.Read(ref _asked);

        public int Id => 1;

        public int ExitCode => 0;

        public bool HasExited
        {
            get
            {
                Interlocked.Increment(ref _asked);
                return Disposed ? throw new InvalidOperationException("No process is associated with this object.") : Exited;
            }
        }

        public bool PreferPolling => true;

        public void OnExit(Action exited) => throw new NotSupportedException();

        public void Kill()
        {
        }

        public void Dispose()
        {
        }
    }
}

using ChatFork.Platform;
using NLog;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// Notices that worker processes have exited, on one thread made at start (<c>exit watcher</c>), so that watching
/// 10,000 workers costs no thread more than watching one.
/// </summary>
/// <remarks>
/// <para>Why not <see cref="System.Diagnostics.Process.Exited"/>: on Unix, .NET raises it through
/// <c>ThreadPool.RegisterWaitForSingleObject</c>, and the thread pool's wait threads (<c>.NET TP Wait</c> in
/// <c>ps -L</c>) each hold at most 63 waits. Every 64th live worker made the supervisor start another thread, on
/// demand, on the launcher thread that had just started that worker: 159 threads for 10,000 workers, and when the
/// system was out of pids that <c>Thread.Start</c> threw <see cref="OutOfMemoryException"/> out of
/// <c>Process.EnableRaisingEvents</c> and took the whole supervisor down ("Out of memory.",
/// <c>terminate called after throwing an instance of 'PAL_SEHException'</c>).</para>
/// <para>Exits are still collected by .NET: its SIGCHLD handling calls <c>waitpid</c> for the children it started, and
/// <see cref="IWorkerProcess.HasExited"/> only reads what it recorded (a lock and a field), so ChatFork never calls
/// <c>waitpid</c> itself. This thread asks each watched worker every <see cref="SweepInterval"/>, and more often about
/// a worker whose pipe has just closed (<see cref="Suspect"/>): an exit comes right after that, and the room should
/// hear of it at once. 10,000 workers cost about a millisecond of this thread per sweep.</para>
/// </remarks>
internal sealed class ExitWatcher : IDisposable
{
    /// <summary>How often every watched worker is asked; a worker that died before attaching is seen within this.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(250);

    // A suspect is asked every few milliseconds; .NET reaps a child within a millisecond or so of its death.
    private static readonly TimeSpan s_suspectInterval = TimeSpan.FromMilliseconds(5);
    private static readonly Logger s_log = LogManager.GetLogger("reaper");

    private readonly Lock _lock = new();
    private readonly Dictionary<IWorkerProcess, Action> _watched = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<IWorkerProcess> _suspects = new(ReferenceEqualityComparer.Instance);
    private readonly List<IWorkerProcess> _gone = [];
    private readonly List<Action> _due = [];
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _thread;
    private volatile bool _stopping;

    public ExitWatcher()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "exit watcher" };
    }

    /// <summary>Workers watched now (not yet seen to exit).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _watched.Count;
            }
        }
    }

    /// <summary>Starts the thread; call once, at start, before the first worker.</summary>
    public void Start() => _thread.Start();

    /// <summary>Calls <paramref name="exited"/> once, on the watcher's thread, after the process has exited.</summary>
    public void Watch(IWorkerProcess process, Action exited)
    {
        lock (_lock)
        {
            _watched.Add(process, exited);
        }
    }

    /// <summary>The worker is about to exit (its pipe closed, it was killed): ask about it often until it has.</summary>
    public void Suspect(IWorkerProcess process)
    {
        lock (_lock)
        {
            // One reported already is forgotten: its slot may be disposed by now.
            if (!_watched.ContainsKey(process))
            {
                return;
            }

            _suspects.Add(process);
        }

        _wake.Set();
    }

    public void Stop()
    {
        _stopping = true;
        _wake.Set();
        if (_thread.IsAlive)
        {
            _thread.Join(TimeSpan.FromSeconds(1));
        }
    }

    public void Dispose()
    {
        Stop();
        if (!_thread.IsAlive)
        {
            _wake.Dispose();
        }
    }

    private void Run()
    {
        var nextSweep = Environment.TickCount64;
        while (!_stopping)
        {
            try
            {
                bool suspects;
                lock (_lock)
                {
                    suspects = _suspects.Count > 0;
                }

                var now = Environment.TickCount64;
                if (now >= nextSweep)
                {
                    Check(all: true);
                    nextSweep = now + (long)SweepInterval.TotalMilliseconds;
                }
                else if (suspects)
                {
                    Check(all: false);
                }

                lock (_lock)
                {
                    suspects = _suspects.Count > 0;
                }

                var wait = suspects ? s_suspectInterval : TimeSpan.FromMilliseconds(Math.Max(1, nextSweep - Environment.TickCount64));
                _wake.WaitOne(wait);
            }
            catch (Exception e)
            {
                // This thread must outlive everything: a worker whose exit nobody sees would hold its slot forever.
                s_log.Error(e, "the exit watcher failed; it carries on");
                Thread.Sleep(SweepInterval);
            }
        }
    }

    // Under the lock only the questions (each a lock and a field in .NET's wait state); the callbacks after it.
    private void Check(bool all)
    {
        lock (_lock)
        {
            IEnumerable<IWorkerProcess> candidates = all ? _watched.Keys : _suspects;
            foreach (var process in candidates)
            {
                if (_watched.ContainsKey(process) && process.HasExited)
                {
                    _gone.Add(process);
                }
            }

            foreach (var process in _gone)
            {
                if (_watched.Remove(process, out var exited))
                {
                    _due.Add(exited);
                }

                _suspects.Remove(process);
            }

            _suspects.RemoveWhere(p => !_watched.ContainsKey(p));
        }

        _gone.Clear();
        foreach (var exited in _due)
        {
            exited();
        }

        _due.Clear();
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Supervisor.Logging;
using NLog;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// Starts worker processes: ChatFork's <c>fork()</c>. For each one it makes a named pipe only the current user can
/// open, starts the worker executable with the pipe's name on its command line and a fresh random secret on its
/// standard input, records the slot, and reports it (<c>started</c>): the server then watches it and waits for it
/// to attach.
/// </summary>
/// <remarks>
/// <para>Every worker is started from one of a few long-lived launcher threads (one per core, at most four). On Linux a
/// worker asks for <c>PR_SET_PDEATHSIG</c>, and that signal fires when the <em>thread</em> that forked it exits, not
/// the process: .NET forks (vfork) on the thread that calls <c>Process.Start</c>, so a worker started from a
/// thread-pool thread would be killed the moment that pool thread retired. Launcher threads never end. There are
/// several because <c>vfork</c> holds its thread until the child has exec'd, and on a slow machine that is most of
/// the cost of a start: two threads start two workers at once.</para>
/// <para>When a start fails the launcher backs off (<see cref="SpawnBackoff"/>) and reports it (<c>failed</c>): the
/// clients that were waiting are told the server is busy.</para>
/// </remarks>
internal sealed class WorkerLauncher : IDisposable
{
    private static readonly Logger s_log = LogManager.GetLogger("launcher");

    private readonly ServerSettings _settings;
    private readonly WorkerRegistry _registry;
    private readonly IProcessLifetime _lifetime;
    private readonly SpawnBackoff _backoff;
    private readonly RoomFlow _flow;
    private readonly Action<WorkerSlot> _started;
    private readonly Action<string> _failed;
    private readonly Thread[] _threads;
    private readonly AutoResetEvent _wake = new(false);
    private readonly int _supervisorProcessId = Environment.ProcessId;
    private volatile bool _stopping;
    private long _nextWorkerId;

    /// <param name="started">Called with each started worker, on the launcher thread; must not block.</param>
    /// <param name="failed">Called after a failed start, with the reason, once the back-off is set.</param>
    public WorkerLauncher(ServerSettings settings, WorkerRegistry registry, IProcessLifetime lifetime, SpawnBackoff backoff,
        RoomFlow flow, Action<WorkerSlot> started, Action<string> failed)
    {
        _flow = flow;
        _settings = settings;
        _registry = registry;
        _lifetime = lifetime;
        _backoff = backoff;
        _started = started;
        _failed = failed;
        _threads = Enumerable.Range(0, Math.Clamp(Environment.ProcessorCount, 1, 4))
            .Select(i => new Thread(Run) { IsBackground = true, Name = $"launcher {i + 1}" })
            .ToArray();
    }

    public void Start()
    {
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>Something changed (a connection is waiting, a worker left the pool or exited): check for spawns.</summary>
    public void Nudge() => _wake.Set();

    public void Stop()
    {
        _stopping = true;
        foreach (var _ in _threads)
        {
            _wake.Set();
        }
    }

    public void Dispose() => _wake.Dispose();

    /// <summary>A start, or a worker, went wrong: back off before the next start, longer each time in a row.</summary>
    public void BackOff(string why)
    {
        var delay = _backoff.Failed();
        s_log.Event(LogLevel.Error, LogEvents.SpawnBackoff, $"{why}; backing off {delay.TotalMilliseconds:0} ms before starting another worker");
        _failed(why);
    }

    private void Run()
    {
        while (!_stopping)
        {
            try
            {
                while (!_stopping && _registry.TryReserveSpawn())
                {
                    _wake.Set(); // there may be more to start: let another launcher thread look while this one starts
                    SpawnOne();
                }
            }
            catch (Exception e)
            {
                // This thread must not end (see the class comment), whatever a start threw: it backs off instead.
                BackOff($"starting a worker failed ({e.GetType().Name}: {e.Message})");
            }

            // Woken by a nudge; the timeout re-checks after a back-off has run out.
            _wake.WaitOne(TimeSpan.FromMilliseconds(250));
        }

        // Stopped, but this thread must not end before the process does: its exit would fire PR_SET_PDEATHSIG in
        // every worker it started, which would then hear "server went away" instead of the orderly shutdown.
        Thread.Sleep(Timeout.Infinite);
    }

    private void SpawnOne()
    {
        var workerId = Interlocked.Increment(ref _nextWorkerId);
        var pipeName = PipePaths.ForWorker(_supervisorProcessId, workerId);
        WorkerPipeServer? pipe = null;
        try
        {
            // The pipe exists before the worker does, so the worker's first connect finds it.
            pipe = WorkerPipeServer.Listen(pipeName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _registry.SpawnFailed();
            BackOff($"could not make the pipe {pipeName} for a worker: {e.Message}");
            return;
        }

        var secret = RandomNumberGenerator.GetBytes(HelloMessage.SecretLength);
        IWorkerProcess process;
        try
        {
            process = _lifetime.Start(new WorkerCommand(_settings.WorkerPath, Arguments(pipeName), SecretLine(secret)));
        }
        catch (Exception e) when (e is ChatForkException or OutOfMemoryException)
        {
            pipe.Dispose();
            _registry.SpawnFailed();
            BackOff(ResourceExhaustion.IsExhaustion(e)
                ? $"could not start a worker: the system is out of processes or memory ({ResourceExhaustion.Describe(e)}); new clients are told '{Refusal.Busy[2..]}' until a worker starts again"
                : $"could not start a worker ({_settings.WorkerPath}): {e.Message}");
            return;
        }

        var slot = new WorkerSlot(workerId, process, pipe, pipeName, secret, _settings.WorkerQueue, _flow);
        _registry.Started(slot);
        s_log.Event(LogLevel.Info, LogEvents.WorkerStarted, $"started worker {process.Id} (#{workerId}, pipe {pipeName})");
        try
        {
            _started(slot);
        }
        catch (Exception e)
        {
            // Watching it or starting its attach failed (out of threads or memory): it cannot be served, so it goes.
            // Watching is a table entry for the exit watcher's thread, so what fails here comes after it: the reaper
            // still sees the exit and frees the slot.
            slot.Kill($"the supervisor could not watch it ({e.GetType().Name}: {e.Message})");
            BackOff($"could not watch worker {process.Id} ({e.GetType().Name}: {e.Message}); killed it");
        }
    }

    private List<string> Arguments(string pipeName)
    {
        List<string> arguments =
        [
            "--pipe", pipeName,
            "--supervisor", _supervisorProcessId.ToString(CultureInfo.InvariantCulture),
            "--mode", _settings.Mode == ServerMode.Echo ? "echo" : "chat",
            "--max-line", _settings.MaxLine.ToString(CultureInfo.InvariantCulture),
            "--send-queue", _settings.SendQueue.ToString(CultureInfo.InvariantCulture),
            "--idle-timeout", ((int)_settings.IdleTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            "--slow-consumer-timeout", ((int)_settings.SlowConsumerTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            "--line-timeout", ((int)_settings.LineTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            "--line-rate", _settings.LineRate.ToString(CultureInfo.InvariantCulture),
            "--line-burst", _settings.LineBurst.ToString(CultureInfo.InvariantCulture),
            "--flood-timeout", ((int)_settings.FloodTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        ];
        if (_settings.Irc is { } irc)
        {
            arguments.AddRange(irc.WorkerArguments());
        }

        if (_settings.ReusesWorkers)
        {
            arguments.Add("--reusable");
        }

        if (_settings.AllowCrash)
        {
            arguments.Add("--allow-crash");
            arguments.Add("yes");
        }

        return arguments;
    }

    // One line of hex on standard input, then end of file (see the worker's SecretReader).
    private static byte[] SecretLine(byte[] secret) => Encoding.ASCII.GetBytes(Convert.ToHexString(secret) + "\n");
}

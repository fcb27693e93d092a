using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;
using System.Security.Cryptography;
using ChatFork.Platform;
using ChatFork.Protocol;
using NLog;

namespace ChatFork.Supervisor;

/// <summary>
/// Starts worker processes: ChatFork's <c>fork()</c>. For each one it makes a named pipe only the current user can
/// open, starts the worker executable with the pipe's name on its command line and a fresh random secret on its
/// standard input, and hands the new slot to the dispatcher, which waits for the worker to attach.
/// </summary>
/// <remarks>
/// <para>Every worker is started from one of a few long-lived launcher threads (one per core, at most four). On Linux a
/// worker asks for <c>PR_SET_PDEATHSIG</c>, and that signal fires when the <em>thread</em> that forked it exits, not
/// the process: .NET forks (vfork) on the thread that calls <see cref="Process.Start()"/>, so a worker started from a
/// thread-pool thread would be killed the moment that pool thread retired. Launcher threads never end. There are
/// several because <c>vfork</c> holds its thread until the child has exec'd, and on a slow machine that is most of
/// the cost of a start: two threads start two workers at once.</para>
/// <para>When a start fails (the executable is missing, the system is out of processes: EAGAIN) the launcher backs
/// off, 100 ms doubling up to 5 s, the way Apache's prefork sleeps after a failed fork, instead of spinning; the
/// clients that were waiting are told the server is busy.</para>
/// </remarks>
internal sealed class WorkerLauncher : IDisposable
{
    private static readonly Logger s_log = LogManager.GetLogger("launcher");
    private static readonly TimeSpan s_firstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_lastBackoff = TimeSpan.FromSeconds(5);

    private readonly ServerSettings _settings;
    private readonly WorkerRegistry _registry;
    private readonly IProcessPlatform _platform;
    private readonly Reaper _reaper;
    private readonly Thread[] _threads;
    private readonly AutoResetEvent _wake = new(false);
    private readonly Lock _backoffLock = new();
    private readonly int _supervisorProcessId = Environment.ProcessId;
    private TimeSpan _backoff = s_firstBackoff;
    private volatile bool _stopping;
    private long _nextWorkerId;

    public WorkerLauncher(ServerSettings settings, WorkerRegistry registry, IProcessPlatform platform, Reaper reaper)
    {
        _settings = settings;
        _registry = registry;
        _platform = platform;
        _reaper = reaper;
        _threads = Enumerable.Range(0, Math.Clamp(Environment.ProcessorCount, 1, 4))
            .Select(i => new Thread(Run) { IsBackground = true, Name = $"launcher {i + 1}" })
            .ToArray();
    }

    /// <summary>Called with each started worker, on the launcher thread; must not block.</summary>
    public Action<WorkerSlot>? Started { get; set; }

    /// <summary>Called after a failed start, with the reason, once the back-off is set.</summary>
    public Action<string>? Failed { get; set; }

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

    /// <summary>A start went wrong: back off before the next, longer each time in a row.</summary>
    public void ReportFailure(string why)
    {
        TimeSpan backoff;
        lock (_backoffLock)
        {
            backoff = _backoff;
            _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, s_lastBackoff.Ticks));
        }

        _registry.BackOffUntil(Stopwatch.GetTimestamp() + (long)(backoff.TotalSeconds * Stopwatch.Frequency));
        s_log.Error($"{why}; backing off {backoff.TotalMilliseconds:0} ms before starting another worker");
        Failed?.Invoke(why);
    }

    /// <summary>A worker serves a client: all is well again, so the next failure backs off from the shortest delay.</summary>
    public void ReportSuccess()
    {
        lock (_backoffLock)
        {
            _backoff = s_firstBackoff;
        }
    }

    private void Run()
    {
        while (!_stopping)
        {
            while (!_stopping && _registry.TryReserveSpawn())
            {
                _wake.Set(); // there may be more to start: let another launcher thread look while this one starts
                SpawnOne();
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
        var pipeName = PipeNames.ForWorker(_supervisorProcessId, workerId);
        NamedPipeServerStream? pipe = null;
        Process? process = null;
        try
        {
            // The pipe exists before the worker does, so the worker's first connect finds it.
            pipe = new NamedPipeServerStream(pipeName, PipeDirection.InOut, 1, PipeTransmissionMode.Byte,
                PipeOptions.Asynchronous | PipeOptions.CurrentUserOnly);
            var secret = RandomNumberGenerator.GetBytes(HelloMessage.SecretLength);
            process = Process.Start(StartInfo(pipeName, workerId))
                ?? throw new ChatForkException($"Process.Start returned no process for {_settings.WorkerPath}.");

            var slot = new WorkerSlot(workerId, process, pipe, pipeName, secret);
            _registry.Started(slot);
            _reaper.Watch(slot);
            _platform.AdoptWorker(process);
            s_log.Info($"started worker {process.Id} (#{workerId}, pipe {pipeName})");
            GiveSecret(process, secret);
            Started?.Invoke(slot);
        }
        catch (Exception e) when (e is Win32Exception or IOException or UnauthorizedAccessException or ChatForkException or InvalidOperationException)
        {
            if (process is null)
            {
                pipe?.Dispose();
                _registry.SpawnFailed();
                ReportFailure($"could not start a worker ({_settings.WorkerPath}): {e.Message}");
            }
            else
            {
                s_log.Error($"worker {process.Id} started but could not be set up: {e.Message}; killing it");
                try
                {
                    process.Kill();
                }
                catch (InvalidOperationException)
                {
                }
            }
        }
    }

    private ProcessStartInfo StartInfo(string pipeName, long workerId)
    {
        var info = new ProcessStartInfo(_settings.WorkerPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
        string[] arguments =
        [
            "--pipe", pipeName,
            "--supervisor", _supervisorProcessId.ToString(CultureInfo.InvariantCulture),
            "--mode", _settings.Mode == ServerMode.Echo ? "echo" : "chat",
            "--max-line", _settings.MaxLine.ToString(CultureInfo.InvariantCulture),
            "--send-queue", _settings.SendQueue.ToString(CultureInfo.InvariantCulture),
            "--idle-timeout", ((int)_settings.IdleTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            "--slot", workerId.ToString(CultureInfo.InvariantCulture),
        ];
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (_settings.AllowCrash)
        {
            info.ArgumentList.Add("--allow-crash");
            info.ArgumentList.Add("yes");
        }

        return info;
    }

    // On standard input, never on the command line: /proc/PID/cmdline is readable by every user.
    private static void GiveSecret(Process process, byte[] secret)
    {
        try
        {
            process.StandardInput.Write(Convert.ToHexString(secret));
            process.StandardInput.Write('\n');
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The worker died at once; the reaper reports it.
        }
    }
}

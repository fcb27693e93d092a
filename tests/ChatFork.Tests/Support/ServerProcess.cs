using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace ChatFork.Tests.Support;

/// <summary>
/// A real <c>chatfork</c> supervisor started for one test, on 127.0.0.1 with port 0, logging into the test's own
/// directory: the Linux build, or the Windows build under Wine (<see cref="TestTarget"/>). Disposing it stops it
/// (<see cref="TestTarget.StopSignal"/>, then SIGKILL) and kills, by pid, any process it left behind, so a failed
/// test does not leak workers into the next one.
/// </summary>
/// <remarks>
/// <see cref="Pid"/> is the pid the server gives itself (in its "listening on" line, in chat and logs); worker pids
/// are likewise the server's. On Linux these are the OS's pids. Under Wine they are Windows pids, and every question
/// to Linux about a worker (is it running, signal it) goes through <see cref="HostPidOf"/>.
/// </remarks>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<int> _seenDescendants = [];
    private long _startTime;

    private ServerProcess(Process process, string logFile)
    {
        _process = process;
        LogFile = logFile;
    }

    public static string BinDirectory => AppContext.BaseDirectory;

    public static string SupervisorPath => TestTarget.PathOf("chatfork");

    public static string WorkerPath => TestTarget.PathOf("chatfork-worker");

    public static string RogueWorkerPath => TestTarget.PathOf("chatfork-rogue-worker");

    /// <summary>The supervisor's pid as it tells it (a Windows pid under Wine).</summary>
    public int Pid { get; private set; }

    /// <summary>The supervisor's Linux pid: what signals and /proc take.</summary>
    public int HostPid => _process.Id;

    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    public string LogFile { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The supervisor's exit code, once it has exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts chatfork with the given options and waits for its "listening on" line.</summary>
    public static Task<ServerProcess> StartAsync(params string[] options) => StartAsync(new Dictionary<string, string>(), options);

    /// <summary>As <see cref="StartAsync(string[])"/>, with extra environment variables (inherited by workers too).</summary>
    public static Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string> environment, params string[] options) =>
        StartAsync(TestTarget.Directory, environment, options);

    /// <summary>Starts the chatfork found in <paramref name="directory"/> (a publish folder, say).</summary>
    public static Task<ServerProcess> StartFromAsync(string directory, params string[] options) =>
        StartAsync(directory, new Dictionary<string, string>(), options);

    /// <summary>As <see cref="StartAsync(IReadOnlyDictionary{string, string}, string[])"/>, under the given umask (set by
    /// <c>/bin/sh</c>, which then execs chatfork: the pid stays the same).</summary>
    public static Task<ServerProcess> StartWithUmaskAsync(string umask, IReadOnlyDictionary<string, string> environment, params string[] options) =>
        StartAsync(BinDirectory, environment, options, umask);

    /// <summary>As <see cref="StartAsync(string[])"/>, run as uid nobody (setpriv), as an ordinary user would run it.
    /// Pass <c>--log-file none</c>: nobody cannot write the test's log directory.</summary>
    public static Task<ServerProcess> StartAsNobodyAsync(params string[] options) =>
        StartAsync(BinDirectory, new Dictionary<string, string>(), options, "022", asNobody: true);

    /// <summary>Starts chatfork inside the network namespace <paramref name="netns"/> (ip netns exec, which execs: same pid).</summary>
    public static Task<ServerProcess> StartInNamespaceAsync(string? netns, params string[] options) =>
        StartAsync(BinDirectory, new Dictionary<string, string>(), options, netns: netns);

    /// <summary>As <see cref="StartAsync(string[])"/>, after the shell command <paramref name="before"/> (/bin/sh runs it,
    /// then execs chatfork: the pid stays the same), e.g. <c>ulimit -Sn 1024</c>, or joining a cgroup with
    /// <c>echo $$ &gt; DIR/cgroup.procs</c> so that the supervisor and every worker are counted there from their
    /// first instruction. If the command fails, the shell exits with code 97. Linux only.</summary>
    public static Task<ServerProcess> StartAfterShellAsync(string before, params string[] options) =>
        StartAsync(BinDirectory, new Dictionary<string, string>(), options, shell: before);

    /// <summary>The network namespace it runs in (its clients connect from there too), or null.</summary>
    public string? Namespace { get; private set; }

    private static async Task<ServerProcess> StartAsync(string directory, IReadOnlyDictionary<string, string> environment, string[] options,
        string? umask = null, bool asNobody = false, string? netns = null, string? shell = null)
    {
        var logFile = Path.Combine(TestContext.CurrentContext.WorkDirectory, "logs",
            $"{Sanitize(TestContext.CurrentContext.Test.Name)}-{Guid.NewGuid():N}.log");
        ProcessStartInfo info;
        var viaShell = umask is not null || shell is not null;
        if (!viaShell && !asNobody && netns is null)
        {
            info = TestTarget.StartInfo(Path.Combine(directory, TestTarget.Executable("chatfork")), WithDefaults(options, logFile));
        }
        else
        {
            // Linux only (the umask, other-user and cluster tests): /bin/sh sets the umask and execs chatfork; ip netns
            // exec enters a test host's namespace and execs it.
            info = new ProcessStartInfo(netns is not null ? "ip" : asNobody ? "setpriv" : !viaShell ? Path.Combine(directory, "chatfork") : "/bin/sh")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            if (netns is not null)
            {
                foreach (var argument in new[] { "netns", "exec", netns, Path.Combine(directory, "chatfork") })
                {
                    info.ArgumentList.Add(argument);
                }
            }

            if (asNobody)
            {
                // setpriv execs /bin/sh, which execs chatfork: the pid is chatfork's throughout.
                foreach (var argument in new[] { "--reuid=nobody", "--regid=nogroup", "--clear-groups", "/bin/sh" })
                {
                    info.ArgumentList.Add(argument);
                }
            }

            if (viaShell)
            {
                info.ArgumentList.Add("-c");
                info.ArgumentList.Add((umask is null ? "" : $"umask {umask}; ") + (shell is null ? "" : $"{shell} || exit 97; ") + "exec \"$0\" \"$@\"");
                info.ArgumentList.Add(Path.Combine(directory, "chatfork"));
            }

            foreach (var argument in WithDefaults(options, logFile))
            {
                info.ArgumentList.Add(argument);
            }
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {SupervisorPath}");
        var server = new ServerProcess(process, logFile) { Pid = process.Id, Namespace = netns };
        server._startTime = ProcFs.StartTime(process.Id) ?? 0;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && ListeningLine().Match(line) is { Success: true } m)
            {
                server.Pid = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                server._listening.TrySetResult(m.Groups[2].Value);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (server._stderr)
                {
                    server._stderr.AppendLine(e.Data);
                }
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => server._listening.TrySetException(new InvalidOperationException("chatfork exited before it listened"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            // A Windows supervisor under Wine takes a few seconds to start on a busy machine.
            var endpoint = await server._listening.Task.WaitAsync(TimeSpan.FromSeconds(TestTarget.IsWine ? 60 : 20));
            server.EndPoint = IPEndPoint.Parse(endpoint);
        }
        catch (Exception e)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"chatfork did not say 'listening on' ({e.Message}). Its log:\n{server.Log}", e);
        }

        return server;
    }

    /// <summary>What the supervisor (and its workers, through it) logged to standard error so far.</summary>
    public string Log
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public Task<ChatClient> ConnectAsync(string name = "client") => ChatClient.ConnectAsync(EndPoint, name, Namespace);

    public Task<(ChatClient Client, List<string> Greeting)> JoinAsync(string name = "client") => ChatClient.JoinAsync(EndPoint, name, Namespace);

    /// <summary>The supervisor's child processes now (workers), remembered for clean-up. Linux only: under Wine a
    /// worker's Linux parent is PID 1; use <see cref="WorkerPids"/>.</summary>
    public List<ProcFs.ProcStat> Children()
    {
        var children = TestTarget.IsWine ? [] : ProcFs.Children(Pid);
        lock (_seenDescendants)
        {
            _seenDescendants.UnionWith(children.Select(c => c.Pid));
        }

        return children;
    }

    /// <summary>Waits until the log holds a line matching <paramref name="pattern"/>.</summary>
    public async Task<string> WaitForLogAsync(string pattern, TimeSpan? timeout = null)
    {
        var regex = new Regex(pattern);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            var match = Log.Split('\n').FirstOrDefault(l => regex.IsMatch(l));
            if (match is not null)
            {
                return match;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"no log line matched /{pattern}/ within {(timeout ?? TimeSpan.FromSeconds(10)).TotalSeconds} s. Log:\n{Log}");
    }

    /// <summary>Polls until <paramref name="condition"/> holds; false if it never did within the timeout.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(20);
        }

        return condition();
    }

    /// <summary>The workers running now, by the pids the server gives them (Linux: its children).</summary>
    public List<int> WorkerPids()
    {
        if (!TestTarget.IsWine)
        {
            return Children().Select(c => c.Pid).ToList();
        }

        var pids = WorkerPidsByPipe();
        return WineWorkers().Where(w => pids.ContainsKey(w.Pipe)).Select(w => pids[w.Pipe]).ToList();
    }

    /// <summary>How many worker processes run now, whether or not the log has named them yet.</summary>
    public int WorkerCount() => TestTarget.IsWine ? WineWorkers().Count : Children().Count;

    /// <summary>The Linux pid of a worker the server calls <paramref name="workerPid"/>, if it is running.</summary>
    public int? HostPidOf(int workerPid)
    {
        if (!TestTarget.IsWine)
        {
            return ProcFs.Exists(workerPid) ? workerPid : null;
        }

        var pipe = WorkerPidsByPipe().Where(p => p.Value == workerPid).Select(p => p.Key).LastOrDefault();
        return pipe is null ? null : WineWorkers().Where(w => w.Pipe == pipe).Select(w => (int?)w.HostPid).FirstOrDefault();
    }

    /// <summary>
    /// True while the worker has not been reaped. On Linux a zombie counts as running (reaping it is the supervisor's
    /// job); under Wine a worker's Linux parent is PID 1, so a Linux zombie there is the container's, not ours.
    /// </summary>
    public bool IsRunning(int workerPid) => HostPidOf(workerPid) is not null;

    /// <summary>Sends a Linux signal to a worker named by the server's pid for it.</summary>
    public void Signal(int workerPid, int signal)
    {
        var host = HostPidOf(workerPid) ?? throw new InvalidOperationException($"worker {workerPid} is not running");
        Native.Kill(host, signal);
    }

    /// <summary>Sends a signal and waits for the supervisor to exit; returns its exit code.</summary>
    public Task<int> StopAsync(TimeSpan? timeout = null) => StopAsync(TestTarget.StopSignal, timeout);

    /// <summary>Sends a signal and waits for the supervisor to exit; returns its exit code.</summary>
    public async Task<int> StopAsync(int signal, TimeSpan? timeout = null)
    {
        RememberWorkers();
        Native.Kill(HostPid, signal);
        await WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(15));
        return _process.ExitCode;
    }

    /// <summary>
    /// Waits until the supervisor has exited and its output has ended; throws <see cref="OperationCanceledException"/>
    /// after <paramref name="timeout"/>.
    /// </summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new OperationCanceledException($"chatfork (pid {Pid}) did not exit within {timeout.TotalSeconds:0.#} s");
            }

            using var cancel = new CancellationTokenSource(TestTarget.IsWine && left > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : left);
            try
            {
                await _process.WaitForExitAsync(cancel.Token);
                return;
            }
            catch (OperationCanceledException) when (TestTarget.IsWine && DateTime.UtcNow < deadline)
            {
                // Wine difference: a worker Wine was still starting when its supervisor ended can stay stuck in Wine's
                // start-up, outside the Job, with the supervisor's Unix standard error still open (Wine starts a
                // process with its parent's descriptors): the supervisor's output then never ends. It goes.
                if (_process.HasExited)
                {
                    KillWineWorkers();
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        RememberWorkers();
        if (!_process.HasExited)
        {
            Native.Kill(HostPid, TestTarget.StopSignal);
            try
            {
                await WaitForExitAsync(TimeSpan.FromSeconds(10));
            }
            catch (OperationCanceledException)
            {
                Native.Kill(HostPid, Native.SIGKILL);
                if (!TestTarget.IsWine)
                {
                    await _process.WaitForExitAsync();
                }
            }
        }

        if (TestTarget.IsWine)
        {
            // Workers are Linux processes of their own under Wine. The kill-on-close Job ends them with the supervisor,
            // except one Wine difference: a worker whose creator is SIGKILLed while Wine is still inside its
            // CreateProcess can stay stuck in Wine's start-up, outside the Job. Whatever of this server's is left goes.
            try
            {
                await WaitForExitAsync(TimeSpan.FromSeconds(20));
            }
            catch (OperationCanceledException)
            {
                // Reported by the test that started it, if it cared; nothing of ours is left running.
            }

            KillWineWorkers();
            _process.Dispose();
            return;
        }

        foreach (Match m in StartedWorker().Matches(Log))
        {
            lock (_seenDescendants)
            {
                _seenDescendants.Add(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        // Anything of ours still alive (orphaned workers, if a test found a bug) goes now, by pid.
        int[] leftovers;
        lock (_seenDescendants)
        {
            leftovers = _seenDescendants.Where(ProcFs.Exists).ToArray();
        }

        foreach (var pid in leftovers)
        {
            if (ProcFs.Stat(pid) is { Command: "chatfork-worker" or "chatfork-rogue-" })
            {
                Native.Kill(pid, Native.SIGKILL);
            }
        }

        _process.Dispose();
    }

    private void KillWineWorkers()
    {
        foreach (var (hostPid, _) in WineWorkers())
        {
            Native.Kill(hostPid, Native.SIGKILL);
        }
    }

    private void RememberWorkers()
    {
        if (TestTarget.IsWine)
        {
            return;
        }

        Children();
        foreach (var pid in ProcFs.Descendants(Pid))
        {
            lock (_seenDescendants)
            {
                _seenDescendants.Add(pid);
            }
        }
    }

    // Under Wine: pipe name to Windows pid, from the supervisor's "started worker W (#N, pipe NAME)" lines.
    private Dictionary<string, int> WorkerPidsByPipe()
    {
        var pids = new Dictionary<string, int>();
        foreach (Match m in StartedWorkerPipe().Matches(Log))
        {
            pids[m.Groups[2].Value] = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        return pids;
    }

    // Under Wine: this server's workers as Linux processes, found by their command line (--pipe NAME --supervisor PID;
    // Wine keeps the Windows command line as the Linux one) and started after the server, since wineserver reuses
    // Windows pids. A Linux zombie is not counted: its parent is PID 1, and it is gone as far as Windows knows.
    private List<(int HostPid, string Pipe)> WineWorkers()
    {
        var result = new List<(int, string)>();
        var supervisor = Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var stat in ProcFs.All())
        {
            if (stat.State == 'Z' || stat.Pid == HostPid)
            {
                continue;
            }

            var arguments = ProcFs.CommandLine(stat.Pid);
            var at = Array.IndexOf(arguments, "--supervisor");
            var pipeAt = Array.IndexOf(arguments, "--pipe");
            if (arguments.Length == 0 || !arguments[0].Contains("chatfork-", StringComparison.Ordinal) || at < 0 || pipeAt < 0
                || at + 1 >= arguments.Length || pipeAt + 1 >= arguments.Length || arguments[at + 1] != supervisor
                || (ProcFs.StartTime(stat.Pid) ?? 0) < _startTime)
            {
                continue;
            }

            result.Add((stat.Pid, arguments[pipeAt + 1]));
        }

        return result;
    }

    private static IEnumerable<string> WithDefaults(string[] options, string logFile)
    {
        var given = options.Where(o => o.StartsWith("--", StringComparison.Ordinal)).ToHashSet();
        var result = new List<string>(options);
        void Default(string name, string value)
        {
            if (!given.Contains(name))
            {
                result.Add(name);
                result.Add(value);
            }
        }

        Default("--host", "127.0.0.1");
        Default("--port", "0");
        Default("--log-file", logFile);
        Default("--log-level", "debug");
        Default("--prespawn", "0");
        return result;
    }

    private static string Sanitize(string name) => new(name.Select(c => char.IsLetterOrDigit(c) || c == '_' ? c : '_').Take(80).ToArray());

    [GeneratedRegex(@"started worker (\d+)")]
    private static partial Regex StartedWorker();

    [GeneratedRegex(@"started worker (\d+) \(#\d+, pipe (\S+)\)")]
    private static partial Regex StartedWorkerPipe();

    [GeneratedRegex(@"\(pid (\d+)\) listening on (\S+)")]
    private static partial Regex ListeningLine();
}

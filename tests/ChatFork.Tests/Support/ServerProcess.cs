using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace ChatFork.Tests.Support;

/// <summary>
/// A real <c>chatfork</c> supervisor started for one test, on 127.0.0.1 with port 0, logging into the test's own
/// directory. Disposing it stops it (SIGTERM, then SIGKILL) and kills, by pid, any process it left behind, so a
/// failed test does not leak workers into the next one.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<int> _seenDescendants = [];

    private ServerProcess(Process process, string logFile)
    {
        _process = process;
        LogFile = logFile;
    }

    public static string BinDirectory => AppContext.BaseDirectory;

    public static string SupervisorPath => Path.Combine(BinDirectory, "chatfork");

    public static string WorkerPath => Path.Combine(BinDirectory, "chatfork-worker");

    public static string RogueWorkerPath => Path.Combine(BinDirectory, "chatfork-rogue-worker");

    public int Pid => _process.Id;

    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    public string LogFile { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The supervisor's exit code, once it has exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts chatfork with the given options and waits for its "listening on" line.</summary>
    public static Task<ServerProcess> StartAsync(params string[] options) => StartAsync(new Dictionary<string, string>(), options);

    /// <summary>As <see cref="StartAsync(string[])"/>, with extra environment variables (inherited by workers too).</summary>
    public static Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string> environment, params string[] options) =>
        StartAsync(BinDirectory, environment, options);

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

    /// <summary>The network namespace it runs in (its clients connect from there too), or null.</summary>
    public string? Namespace { get; private set; }

    private static async Task<ServerProcess> StartAsync(string directory, IReadOnlyDictionary<string, string> environment, string[] options,
        string? umask = null, bool asNobody = false, string? netns = null)
    {
        var logFile = Path.Combine(TestContext.CurrentContext.WorkDirectory, "logs",
            $"{Sanitize(TestContext.CurrentContext.Test.Name)}-{Guid.NewGuid():N}.log");
        var info = new ProcessStartInfo(netns is not null ? "ip" : asNobody ? "setpriv" : umask is null ? Path.Combine(directory, "chatfork") : "/bin/sh")
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

        if (umask is not null)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add($"umask {umask}; exec \"$0\" \"$@\"");
            info.ArgumentList.Add(Path.Combine(directory, "chatfork"));
        }

        foreach (var argument in WithDefaults(options, logFile))
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {SupervisorPath}");
        var server = new ServerProcess(process, logFile) { Namespace = netns };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && ListeningLine().Match(line) is { Success: true } m)
            {
                server._listening.TrySetResult(m.Groups[1].Value);
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
            var endpoint = await server._listening.Task.WaitAsync(TimeSpan.FromSeconds(20));
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

    /// <summary>The supervisor's child processes now (workers), remembered for clean-up.</summary>
    public List<ProcFs.ProcStat> Children()
    {
        var children = ProcFs.Children(Pid);
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

    /// <summary>Sends a signal and waits for the supervisor to exit; returns its exit code.</summary>
    public async Task<int> StopAsync(int signal = Native.SIGTERM, TimeSpan? timeout = null)
    {
        Children();
        Native.Kill(Pid, signal);
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Children();
        foreach (var pid in ProcFs.Descendants(Pid))
        {
            lock (_seenDescendants)
            {
                _seenDescendants.Add(pid);
            }
        }

        if (!_process.HasExited)
        {
            Native.Kill(Pid, Native.SIGTERM);
            try
            {
                using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                Native.Kill(Pid, Native.SIGKILL);
                await _process.WaitForExitAsync();
            }
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

    [GeneratedRegex(@"listening on (\S+)")]
    private static partial Regex ListeningLine();
}

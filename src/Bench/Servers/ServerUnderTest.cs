using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ChatFork.Bench.Interop.Unix;
using ChatFork.Bench.Measure;

namespace ChatFork.Bench.Servers;

/// <summary>
/// The server a scenario runs against: one the bench started (and will stop), or one already running.
/// <para>
/// Ownership: the bench stops only what it started, and only by pid. Stopping is SIGTERM to the root, up to
/// <see cref="s_stopGrace"/> for it to exit, then SIGKILL to its tree; children that outlive their parent (a
/// fork-per-connection server's workers, reparented to init) are recorded before the SIGTERM and, if still running a
/// little later, killed by pid, checked against their start time so a reused pid is never hit. What had to be killed
/// is kept in <see cref="Problems"/>, because a server that leaks processes on shutdown is a finding.
/// </para>
/// </summary>
internal sealed partial class ServerUnderTest : IAsyncDisposable
{
    private const int HeadLines = 6;
    private const int TailLines = 8;
    private const int RunLogLines = 3;

    // Clock ticks are 10 ms; two in 100 ms is an idle tree with a timer or two, not one still starting processes.
    private const ulong SettledCpuTicks = 2;

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan s_stopGrace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_orphanGrace = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan s_settleStep = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_settleQuiet = TimeSpan.FromMilliseconds(300);

    private readonly Process? _process;
    private readonly List<string> _outputHead = [];
    private readonly Queue<string> _outputTail = new();
    private readonly List<string> _problems = [];
    private readonly TaskCompletionSource<int> _listeningPort = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _runLog = [];
    private PerfWindow? _perf;
    private int? _serverPid;
    private int _outputSkipped;
    private int _runLogCount;
    private volatile bool _ready;
    private bool _exitReported;
    private bool _stopped;

    private ServerUnderTest(string label, ServerKind kind, ServerMode mode, IPEndPoint endpoint, Process? process)
    {
        Label = label;
        Kind = kind;
        Mode = mode;
        Endpoint = endpoint;
        _process = process;
    }

    public string Label { get; }

    public ServerKind Kind { get; }

    public ServerMode Mode { get; }

    public IPEndPoint Endpoint { get; private set; }

    /// <summary>Whether the server the bench started has exited (by itself or stopped); false for an attached one.</summary>
    public bool HasExited => _process is { HasExited: true };

    /// <summary>The root of the server's process tree, when known.</summary>
    public int? Pid => _serverPid ?? _process?.Id ?? ExternalPid;

    /// <summary>
    /// Set when the server runs under perf stat (<see cref="ServerSpec.PerfEvent"/>): the window the scenario opens
    /// around its timed part. The process the bench started is then perf, and <see cref="Pid"/> is perf's child.
    /// </summary>
    public PerfWindow? Perf => _perf;

    /// <summary>What perf counted, once the server has been stopped; null when it did not run under perf.</summary>
    public PerfCount? PerfResult { get; private set; }

    /// <summary>
    /// Things noticed while starting or stopping the server (it did not settle, it left processes), as sentences.
    /// </summary>
    public IReadOnlyList<string> Problems => _problems;

    private int? ExternalPid { get; init; }

    /// <summary>A server the bench did not start; it is never stopped.</summary>
    public static ServerUnderTest Attach(IPEndPoint endpoint, int? pid, ServerMode mode) =>
        new($"server at {endpoint}", ServerKind.External, mode, endpoint, null) { ExternalPid = pid };

    /// <summary>Starts the server and waits until it accepts connections and has settled.</summary>
    public static async Task<ServerUnderTest> StartAsync(ServerSpec spec, CancellationToken cancellationToken)
    {
        var port = spec.Kind == ServerKind.ChatFork ? 0 : FreePort.Pick();
        var (file, arguments) = CommandLine(spec, port);
        var perf = spec.PerfEvent is { } perfEvent ? PerfWindow.Create(perfEvent) : null;
        if (perf is not null)
        {
            (file, arguments) = perf.Wrap(file, arguments);
        }

        var startInfo = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,

            // Kept open and never written: ncat in listen mode would broadcast anything it reads from stdin.
            RedirectStandardInput = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        var server = new ServerUnderTest(
            spec.Label, spec.Kind, spec.Mode, new IPEndPoint(IPAddress.Loopback, port), process) { _perf = perf };
        process.OutputDataReceived += (_, e) => server.OnOutput(e.Data, isStdout: true);
        process.ErrorDataReceived += (_, e) => server.OnOutput(e.Data, isStdout: false);
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            perf?.Dispose();
            throw new BenchException($"Could not start {file}: {ex.Message}.", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            if (spec.Kind == ServerKind.ChatFork)
            {
                await server.WaitForListeningLineAsync(cancellationToken);
            }
            else
            {
                await server.WaitUntilAcceptingAsync(cancellationToken);
            }

            if (perf is not null)
            {
                server._serverPid = ProcessTree.Of(process.Id).Skip(1).FirstOrDefault(p => p.ParentPid == process.Id).Pid
                    is var child and > 0 ? child
                    : throw new BenchException($"perf stat (pid {process.Id}) has no child process: {server.OutputSummary()}");
            }

            await server.WaitUntilSettledAsync(spec, cancellationToken);
            server._ready = true;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>A sentence if the server the bench started has exited on its own, else null.</summary>
    public string? ExitedEarly()
    {
        if (_process is not { HasExited: true } || _stopped)
        {
            return null;
        }

        _exitReported = true;
        return $"{Label} exited by itself during the run (exit code {_process.ExitCode}); its output: {OutputSummary()}";
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is null || _stopped)
        {
            return;
        }

        _stopped = true;
        lock (_runLog)
        {
            if (_runLogCount > 0)
            {
                _problems.Add(
                    $"{Label} wrote {_runLogCount} line{(_runLogCount == 1 ? "" : "s")} to stderr during the run; "
                    + $"the first: {string.Join(" | ", _runLog)}");
            }
        }

        try
        {
            await StopAsync(_process);
        }
        finally
        {
            _process.Dispose();
            if (_perf is not null)
            {
                PerfResult = _perf.Read();
                _perf.Dispose();
            }
        }
    }

    private static (string File, IReadOnlyList<string> Arguments) CommandLine(ServerSpec spec, int port)
    {
        var portText = port.ToString(CultureInfo.InvariantCulture);
        switch (spec.Kind)
        {
            case ServerKind.Socat:
                return (ToolLocator.FindOnPath("socat"),
                    [$"TCP-LISTEN:{portText},bind=127.0.0.1,reuseaddr,fork,backlog=4096", "EXEC:cat"]);
            case ServerKind.Ncat:
                return (ToolLocator.FindOnPath("ncat"),
                    ["-l", "-k", "--chat", "-m", Math.Max(1000, spec.MaxClients).ToString(CultureInfo.InvariantCulture),
                        "127.0.0.1", portText]);
            case ServerKind.ChatFork:
                var maxClients = spec.MaxClients.ToString(CultureInfo.InvariantCulture);
                List<string> arguments =
                [
                    "--host", "127.0.0.1", "--port", "0", "--mode", spec.ModeName, "--log-level", "warn",
                    "--max-clients", maxClients, "--max-clients-per-ip", maxClients,
                    // The peers (ncat, socat) have no per-client flood limit; the bench measures the relay, so the
                    // limit a person never meets is lifted here, like the client limits.
                    "--line-rate", "0",
                    // Scale's clients idle for minutes while thousands of workers start: a line timeout would cut
                    // off a client whose poke is still open, and the default queue timeout (30 s) is shorter than
                    // starting 10,000 workers here. The peers have neither limit.
                    "--line-timeout", "0", "--queue-timeout", "900",
                ];
                if (spec.Prespawn is { } prespawn)
                {
                    arguments.Add("--prespawn");
                    arguments.Add(prespawn.ToString(CultureInfo.InvariantCulture));
                }

                arguments.AddRange(spec.ExtraArgs);
                return (spec.ChatForkPath ?? ToolLocator.FindChatFork(null), arguments);
            default:
                throw new BenchException($"The bench cannot start a server of kind {spec.Kind}.");
        }
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();

    private void OnOutput(string? line, bool isStdout)
    {
        // perf stat's answers to the control FIFO ("Events enabled") are perf's, not the server's.
        if (string.IsNullOrWhiteSpace(line) || (_perf is not null && line.Trim() is "Events enabled" or "Events disabled"))
        {
            return;
        }

        lock (_outputTail)
        {
            // The first lines usually say what went wrong (a usage error heads a long help text); the last ones
            // what happened most recently.
            if (_outputHead.Count < HeadLines)
            {
                _outputHead.Add(line.Trim());
            }
            else
            {
                _outputTail.Enqueue(line.Trim());
                while (_outputTail.Count > TailLines)
                {
                    _outputTail.Dequeue();
                    _outputSkipped++;
                }
            }
        }

        if (!isStdout && _ready)
        {
            // After start-up, what a server writes to stderr is warnings and errors (the bench asks ChatFork for
            // --log-level warn); a few go into the report, because they often explain a bad figure.
            lock (_runLog)
            {
                _runLogCount++;
                if (_runLog.Count < RunLogLines)
                {
                    _runLog.Add(line.Trim());
                }
            }
        }

        if (isStdout && ListeningLine().Match(line) is { Success: true } match
            && int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            _listeningPort.TrySetResult(port);
        }
    }

    private string OutputSummary()
    {
        lock (_outputTail)
        {
            if (_outputHead.Count == 0)
            {
                return "(it printed nothing)";
            }

            var skipped = _outputSkipped > 0 ? [$"({_outputSkipped} more lines)"] : Array.Empty<string>();
            return string.Join(" | ", _outputHead.Concat(skipped).Concat(_outputTail));
        }
    }

    private async Task WaitForListeningLineAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(s_startTimeout.TotalSeconds * Stopwatch.Frequency);
        while (!_listeningPort.Task.IsCompleted)
        {
            ThrowIfExited();
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new BenchException(
                    $"{Label} did not print 'listening on 127.0.0.1:PORT' on its standard output within "
                    + $"{s_startTimeout.TotalSeconds:0} s; its output: {OutputSummary()}");
            }

            await Task.WhenAny(_listeningPort.Task, Task.Delay(50, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }

        Endpoint = new IPEndPoint(IPAddress.Loopback, await _listeningPort.Task);
    }

    private async Task WaitUntilAcceptingAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(s_startTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            ThrowIfExited();
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromMilliseconds(500));
                await probe.ConnectAsync(Endpoint, attempt.Token);
                return;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException
                && !cancellationToken.IsCancellationRequested)
            {
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    throw new BenchException(
                        $"{Label} did not accept connections on {Endpoint} within {s_startTimeout.TotalSeconds:0} s; "
                        + $"its output: {OutputSummary()}");
                }

                await Task.Delay(20, cancellationToken);
            }
        }
    }

    /// <summary>
    /// A server may say it listens before it is done starting: ChatFork prints its port and then fills its pool of
    /// prespawned workers, each a process that takes a while to start. Timing before that would measure the start,
    /// not the server, so wait until the tree has the expected processes and has stopped growing and burning CPU.
    /// </summary>
    private async Task WaitUntilSettledAsync(ServerSpec spec, CancellationToken cancellationToken)
    {
        var expected = 1 + (spec.Kind == ServerKind.ChatFork ? spec.Prespawn ?? 0 : 0) + (_perf is null ? 0 : 1);
        var settled = await ProcessTree.WaitUntilQuietAsync(
            _process!.Id, expected, s_settleStep, s_settleQuiet, SettledCpuTicks, s_startTimeout, ThrowIfExited,
            cancellationToken);
        if (!settled)
        {
            _problems.Add(
                $"{Label} had not settled (stable process count, idle CPU) {s_startTimeout.TotalSeconds:0} s after it "
                + "started; the figures may include its start-up.");
        }
    }

    private void ThrowIfExited()
    {
        if (_process is { HasExited: true })
        {
            throw new BenchException(
                $"{Label} exited with code {_process.ExitCode} before it was ready; its output: {OutputSummary()}");
        }
    }

    private async Task StopAsync(Process process)
    {
        if (process.HasExited)
        {
            if (!_exitReported)
            {
                _problems.Add($"{Label} had exited by itself (code {process.ExitCode}) before the bench stopped it.");
            }

            return;
        }

        // Under perf the signal goes to the server itself: perf writes its counts when its child exits, whereas
        // SIGTERM would end perf before it wrote anything.
        var pid = _serverPid ?? process.Id;
        var descendants = ProcessTree.Of(process.Id).Skip(1).ToList();
        _ = Libc.Kill(pid, Libc.SIGTERM);
        if (!await WaitForExitAsync(process, s_stopGrace))
        {
            _problems.Add(
                $"{Label} did not exit within {s_stopGrace.TotalSeconds:0} s of SIGTERM; the bench killed its process tree.");
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited just now.
            }

            await WaitForExitAsync(process, TimeSpan.FromSeconds(5));
        }
        else if (Kind == ServerKind.ChatFork && process.ExitCode is not (0 or 143))
        {
            _problems.Add($"{Label} exited with code {process.ExitCode} after SIGTERM.");
        }

        await KillOrphansAsync(descendants);
    }

    private async Task KillOrphansAsync(List<ProcessStat> descendants)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(s_orphanGrace.TotalSeconds * Stopwatch.Frequency);
        List<ProcessStat> alive;
        while ((alive = descendants.Where(ProcessTree.IsAlive).ToList()).Count > 0
            && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }

        if (alive.Count == 0)
        {
            return;
        }

        foreach (var orphan in alive)
        {
            _ = Libc.Kill(orphan.Pid, Libc.SIGKILL);
        }

        _problems.Add(
            $"{alive.Count} child processes of {Label} were still running {s_orphanGrace.TotalSeconds:0} s after it "
            + $"exited; the bench killed them (pids {string.Join(' ', alive.Select(p => p.Pid))}).");
    }

    private static async Task<bool> WaitForExitAsync(Process process, TimeSpan limit)
    {
        // Polled rather than WaitForExitAsync: that also waits for end-of-file on the redirected output, which
        // children holding the inherited pipe may keep open long after the root has exited.
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (!process.HasExited)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }
}

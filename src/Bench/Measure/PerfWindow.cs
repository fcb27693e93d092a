using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using ChatFork.Bench.Interop.Unix;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Measure;

/// <summary>
/// A server started under <c>perf stat -e EVENT -x, -o FILE -D -1 --control fifo:CTL,ACK -- server ...</c>: perf
/// counts the server and every process it starts (perf stat inherits its counters into children by default), but
/// only between <see cref="EnableAsync"/> and <see cref="DisableAsync"/>, so the count covers the timed part of a
/// scenario, not the server's start-up, the clients' connects or its shutdown. Enabling reaches the processes that
/// already exist (the counters of inherited children are enabled with their parent's), and children started while
/// enabled count from their start. Checked by hand with task-clock and a shell that starts busy children before and
/// after the window (docs/performance.md, "Reproduce it").
/// </summary>
internal sealed class PerfWindow : IDisposable
{
    private static readonly TimeSpan s_ackLimit = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_probeLimit = TimeSpan.FromSeconds(20);

    private readonly string _folder;
    private readonly string _control;
    private readonly string _ack;
    private FileStream? _controlStream;
    private FileStream? _ackStream;

    private PerfWindow(string perfPath, string perfEvent, string folder)
    {
        PerfPath = perfPath;
        Event = perfEvent;
        _folder = folder;
        _control = Path.Combine(folder, "control");
        _ack = Path.Combine(folder, "ack");
        OutputPath = Path.Combine(folder, "perf.csv");
    }

    public string PerfPath { get; }

    public string Event { get; }

    public string OutputPath { get; }

    /// <summary>How many times the window was opened; zero means the scenario never reached its timed part.</summary>
    public int Opened { get; private set; }

    /// <summary>Makes the control FIFOs in a temporary folder.</summary>
    public static PerfWindow Create(string perfEvent)
    {
        var perf = ToolLocator.FindOnPath("perf");
        var folder = Path.Combine(Path.GetTempPath(), $"chatfork-bench-perf-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var window = new PerfWindow(perf, perfEvent, folder);
        foreach (var fifo in new[] { window._control, window._ack })
        {
            if (Libc.MkFifo(fifo, Convert.ToUInt32("600", 8)) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                window.Dispose();
                throw new BenchException($"Could not make the FIFO {fifo} for perf stat's control (errno {errno}).");
            }
        }

        return window;
    }

    /// <summary>
    /// Null when <c>perf stat -e EVENT</c> counts something here (tried on <c>true</c>); else a sentence saying why
    /// not, for the row that would have shown the figure.
    /// </summary>
    public static string? Probe(string perfEvent)
    {
        string perf;
        try
        {
            perf = ToolLocator.FindOnPath("perf");
        }
        catch (BenchException)
        {
            return "perf is not installed (apt-get install linux-perf), so there is no instruction count.";
        }

        var output = Path.Combine(Path.GetTempPath(), $"chatfork-bench-perf-probe-{Guid.NewGuid():N}.csv");
        try
        {
            var start = new ProcessStartInfo(perf)
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var argument in new[] { "stat", "-e", perfEvent, "-x,", "-o", output, "--", "true" })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new BenchException("Could not start perf.");
            var errors = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(s_probeLimit))
            {
                process.Kill();
                return $"perf stat -e {perfEvent} true did not finish within {s_probeLimit.TotalSeconds:0} s.";
            }

            if (!File.Exists(output))
            {
                return $"perf stat -e {perfEvent} true failed (exit code {process.ExitCode}): {errors.Result.Trim()}";
            }

            return PerfStatCsv.Parse(File.ReadAllText(output), perfEvent).Problem;
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>The command line that starts <paramref name="file"/> under perf stat, counting disabled.</summary>
    public (string File, IReadOnlyList<string> Arguments) Wrap(string file, IReadOnlyList<string> arguments) =>
        (PerfPath,
        [
            "stat", "-e", Event, "-x,", "-o", OutputPath, "-D", "-1", "--control", $"fifo:{_control},{_ack}", "--",
            file, .. arguments,
        ]);

    public async Task EnableAsync(CancellationToken cancellationToken)
    {
        await SendAsync("enable", cancellationToken);
        Opened++;
    }

    public Task DisableAsync(CancellationToken cancellationToken) => SendAsync("disable", cancellationToken);

    /// <summary>What perf wrote when it exited (after the server it started did).</summary>
    public PerfCount Read()
    {
        if (!File.Exists(OutputPath))
        {
            return new PerfCount(Event, null, $"perf stat wrote no {OutputPath}.");
        }

        return PerfStatCsv.Parse(File.ReadAllText(OutputPath), Event);
    }

    public void Dispose()
    {
        _controlStream?.Dispose();
        _ackStream?.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Still in use by a perf that has not exited; it is a temporary folder.
        }
    }

    private async Task SendAsync(string command, CancellationToken cancellationToken)
    {
        // Opening a FIFO blocks until the other end is open too, and perf opens its ends when it starts; both the
        // opens and the wait for "ack" run on a pool thread under a time bound, so a perf that died cannot hang us.
        var work = Task.Run(
            () =>
            {
                _controlStream ??= new FileStream(_control, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
                _ackStream ??= new FileStream(_ack, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
                _controlStream.Write(Encoding.ASCII.GetBytes(command + "\n"));
                _controlStream.Flush();
                var reply = new StringBuilder();
                var buffer = new byte[16];
                while (!reply.ToString().Contains('\n', StringComparison.Ordinal))
                {
                    var read = _ackStream.Read(buffer);
                    if (read == 0)
                    {
                        throw new BenchException($"perf stat closed its control FIFO before it acknowledged '{command}'.");
                    }

                    reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }
            },
            CancellationToken.None);
        try
        {
            await work.WaitAsync(s_ackLimit, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new BenchException(
                $"perf stat did not acknowledge '{command}' within {s_ackLimit.TotalSeconds:0} s; the count is unusable.");
        }
    }
}

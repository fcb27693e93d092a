using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// <c>chatfork-bench lab --quick</c>, run as a student would run the real thing: the three models at 3 and 6 clients,
/// against the chatfork in this output folder, into a folder of its own. What it writes is checked as files: the CSV,
/// the JSON, a PNG chart per figure, and a report that shows them.
/// </summary>
[TestFixture]
[LinuxOnly("chatfork-bench is a Linux tool: it measures Pss and threads through /proc")]
public sealed class LabTests
{
    private static readonly string[] s_models = ["process", "thread", "async"];
    private static readonly int[] s_clients = [3, 6];

    private static readonly string[] s_chartedMetrics =
    [
        "greeting_p50_ms", "greeting_p99_ms", "fanout_p50_ms", "deliveries_per_s", "pss_per_client_mib",
        "marginal_pss_per_client_mib", "processes", "threads", "cpu_seconds",
    ];

    private static readonly byte[] s_pngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a];

    private static readonly TimeSpan s_runLimit = TimeSpan.FromSeconds(100);

    private string _out = "";
    private LabRun _run = null!;

    private static string BenchPath => Path.Combine(ServerProcess.BinDirectory, "chatfork-bench");

    [OneTimeSetUp]
    public async Task RunTheQuickLabOnce()
    {
        Assert.That(File.Exists(BenchPath), Is.True,
            $"{BenchPath} is missing: the test project references src/Bench so that chatfork-bench is built next to the tests.");
        _out = Path.Combine(Path.GetTempPath(), $"chatfork-lab-test-{Guid.NewGuid():N}");
        _run = await LabRun.StartAsync(BenchPath, "lab", "--quick", "--out", _out, "--chatfork", ServerProcess.SupervisorPath);
    }

    [OneTimeTearDown]
    public void RemoveTheOutput()
    {
        if (Directory.Exists(_out))
        {
            Directory.Delete(_out, recursive: true);
        }
    }

    [Test]
    public void The_quick_lab_finishes_in_seconds_with_exit_code_0_and_leaves_no_process_behind()
    {
        Assert.That(_run.ExitCode, Is.Zero, $"chatfork-bench lab --quick failed. Its output:\n{_run.Output}");
        Assert.That(_run.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "--quick is for tests: seconds, not minutes");
        Assert.That(_run.Leftovers, Is.Empty, "every chatfork the lab started is stopped (pids still running)");
    }

    [Test]
    public void The_CSV_has_a_documented_header_and_one_row_of_figures_per_model_and_client_count()
    {
        var lines = File.ReadAllLines(Path.Combine(_out, "results.csv"));
        var comments = lines.TakeWhile(line => line.StartsWith('#')).ToList();
        Assert.That(comments, Has.Some.Contains("greeting_p50_ms:"), "the header comment says what each column is");
        var table = lines.Skip(comments.Count).Where(line => line.Length > 0).ToList();
        var header = table[0].Split(',');
        Assert.That(header[..2], Is.EqualTo(new[] { "model", "clients" }));
        Assert.That(header, Is.SupersetOf(s_chartedMetrics).And.Contains("error"));

        var rows = table.Skip(1).Select(line => line.Split(',')).ToList();
        var expected = s_models.SelectMany(model => s_clients.Select(clients => $"{model},{clients}"));
        Assert.That(rows.Select(row => $"{row[0]},{row[1]}"), Is.EquivalentTo(expected), "one row per (model, clients)");
        foreach (var row in rows)
        {
            Assert.That(row, Has.Length.EqualTo(header.Length), $"row {row[0]},{row[1]} has a cell per column");
            foreach (var metric in s_chartedMetrics)
            {
                var cell = row[Array.IndexOf(header, metric)];
                Assert.That(double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0,
                    Is.True, $"{metric} for {row[0]} at {row[1]} clients is a number, not '{cell}'");
            }

            Assert.That(row[^1], Is.Empty, $"{row[0]} at {row[1]} clients reported an error");
        }

        var processes = rows.ToDictionary(row => $"{row[0]},{row[1]}", row => double.Parse(row[Array.IndexOf(header, "processes")], CultureInfo.InvariantCulture));
        Assert.That(processes["thread,6"], Is.EqualTo(1), "the thread model serves everyone in one process");
        Assert.That(processes["async,6"], Is.EqualTo(1), "the async model serves everyone in one process");
        Assert.That(processes["process,6"], Is.GreaterThan(6), "the process model has a worker per client, plus the supervisor");
    }

    [Test]
    public void The_JSON_parses_and_holds_every_model_with_its_figures()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_out, "results.json")));
        var points = json.RootElement.GetProperty("points").EnumerateArray().ToList();
        Assert.That(points.Select(p => p.GetProperty("model").GetString()).Distinct(), Is.EquivalentTo(s_models));
        Assert.That(points, Has.Count.EqualTo(s_models.Length * s_clients.Length));
        foreach (var point in points)
        {
            Assert.That(point.GetProperty("greetingP50Ms").ValueKind, Is.EqualTo(JsonValueKind.Number));
            Assert.That(point.GetProperty("pssPerClientMiB").ValueKind, Is.EqualTo(JsonValueKind.Number));
        }

        Assert.That(json.RootElement.GetProperty("machine").GetProperty("cores").GetInt32(), Is.Positive);
        Assert.That(json.RootElement.GetProperty("plan").GetProperty("quick").GetBoolean(), Is.True);
    }

    [Test]
    public void Every_figure_has_a_real_PNG_chart_and_the_report_shows_each_one()
    {
        var report = File.ReadAllText(Path.Combine(_out, "report.md"));
        var charts = Directory.GetFiles(_out, "*.png").Select(Path.GetFileName).ToList();
        Assert.That(charts, Is.SupersetOf(s_chartedMetrics.Select(metric => $"{metric}.png")));
        foreach (var chart in charts)
        {
            var bytes = File.ReadAllBytes(Path.Combine(_out, chart!));
            Assert.That(bytes.Length, Is.GreaterThan(10_000), $"{chart} is too small to hold a chart");
            Assert.That(bytes[..8], Is.EqualTo(s_pngSignature), $"{chart} is not a PNG");
            Assert.That(Encoding.ASCII.GetString(bytes, 12, 4), Is.EqualTo("IHDR"), $"{chart} has no PNG header chunk");
            var width = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16));
            var height = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20));
            Assert.That(width, Is.AtLeast(400), $"{chart} width");
            Assert.That(height, Is.AtLeast(300), $"{chart} height");
            Assert.That(report, Does.Contain($"]({chart})"), $"report.md does not show {chart}");
        }

        Assert.That(report, Does.Contain("| model | clients |"), "report.md has the table");
        Assert.That(report, Does.Contain("cores"), "report.md says what machine it ran on");
    }

    /// <summary>
    /// chatfork-bench run to completion under a time bound, with its descendants (the chatfork servers it starts)
    /// recorded while it runs, so that the test can tell whether it left any behind, and clean up if it did.
    /// </summary>
    private sealed record LabRun(int ExitCode, string Output, TimeSpan Elapsed, IReadOnlyList<int> Leftovers)
    {
        public static async Task<LabRun> StartAsync(string path, params string[] arguments)
        {
            var info = new ProcessStartInfo(path)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }

            var stopwatch = Stopwatch.StartNew();
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            // Pid and start time: a pid seen here and reused later by someone else's process is never touched.
            var seen = new HashSet<(int Pid, string? Started)>();
            using var limit = new CancellationTokenSource(s_runLimit);
            while (!process.HasExited && !limit.IsCancellationRequested)
            {
                seen.UnionWith(ProcFs.Descendants(process.Id).Select(pid => (pid, StartTime(pid))));
                await Task.Delay(100, CancellationToken.None);
            }

            if (!process.HasExited)
            {
                // SIGTERM first: the bench stops the servers it started before it exits.
                Native.Kill(process.Id, Native.SIGTERM);
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try
                {
                    await process.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    Native.Kill(process.Id, Native.SIGKILL);
                    await process.WaitForExitAsync();
                }
            }

            var elapsed = stopwatch.Elapsed;
            var output = await stdout + await stderr;
            var leftovers = new List<int>();
            foreach (var (pid, started) in seen)
            {
                if (started is not null && StartTime(pid) == started
                    && ProcFs.Stat(pid) is { Command: "chatfork" or "chatfork-worker", State: not 'Z' })
                {
                    leftovers.Add(pid);
                    Native.Kill(pid, Native.SIGKILL);
                }
            }

            return new LabRun(
                limit.IsCancellationRequested ? -1 : process.ExitCode,
                limit.IsCancellationRequested ? $"(stopped after {s_runLimit.TotalSeconds:0} s)\n{output}" : output,
                elapsed,
                leftovers);
        }

        /// <summary>Field 22 of /proc/PID/stat (clock ticks after boot), or null when the process is gone.</summary>
        private static string? StartTime(int pid)
        {
            try
            {
                var text = File.ReadAllText($"/proc/{pid}/stat");
                var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                return fields.Length > 19 ? fields[19] : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}

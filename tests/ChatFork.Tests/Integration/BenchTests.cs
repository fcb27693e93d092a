using System.Globalization;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// chatfork-bench's issue-13 parts run for real, small: the scale scenario with 50 clients, the spawn floor, a
/// compare with the spawn floor and echo-seq (variant detection and the target table), and the perf window.
/// </summary>
[TestFixture]
[LinuxOnly("chatfork-bench is a Linux tool: it reads /proc and spawns with posix_spawn")]
public sealed class BenchTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(90);

    [Test]
    public async Task Bench_scale_with_50_clients_greets_them_all_and_one_broadcast_reaches_the_other_49()
    {
        using var run = await BenchRun.RunAsync(s_limit, "run", "scale", "-c", "50", "--chatfork", ServerProcess.SupervisorPath);
        Assert.That(run.ExitCode, Is.Zero, run.Output);
        Assert.Multiple(() =>
        {
            Assert.That(run.Metric("served"), Is.EqualTo(50), run.Output);
            Assert.That(run.Metric("missing"), Is.Zero, run.Output);
            Assert.That(run.Metric("greet_all_ms"), Is.Positive, "time until all greeted");
            Assert.That(run.Metric("broadcast_last_ms"), Is.Positive, "the broadcast's time to the last receipt");
            Assert.That(run.Metric("broadcast_p50_ms"), Is.Positive);
            Assert.That(run.Metric("pss_per_client_mib"), Is.Positive, "Pss per client from smaps_rollup");
            Assert.That(run.Metric("processes"), Is.GreaterThanOrEqualTo(51), "a worker per client and the supervisor");
            Assert.That(run.Metric("root_threads"), Is.Positive);
            Assert.That(run.Metric("root_fds"), Is.Positive);
            Assert.That(run.Metric("root_cpu_ms"), Is.Not.Null, "the supervisor's utime+stime");
            Assert.That(run.Notes(), Has.Some.StartsWith("Limit: No limit was hit: all 50 clients were served"));
        });
    }

    [Test]
    public async Task Bench_scale_against_a_server_that_stops_short_says_it_was_refused_with_the_servers_sentence()
    {
        // A supervisor the test starts with room for 20 workers (pooled ones count), measured through --target.
        await using var server = await ServerProcess.StartAsync(
            "--max-clients", "20", "--max-clients-per-ip", "100", "--prespawn", "2");
        using var run = await BenchRun.RunAsync(s_limit, "run", "scale", "-c", "40", "--timeout", "60",
            "--target", $"127.0.0.1:{server.EndPoint.Port}", "--server-pid", server.Pid.ToString(CultureInfo.InvariantCulture));
        var served = run.Metric("served");
        Assert.Multiple(() =>
        {
            Assert.That(served, Is.InRange(1, 20), run.Output);
            Assert.That(run.Metric("reached"), Is.EqualTo(served - 1), "the clients it did serve are still measured");
            Assert.That(run.Metric("greet_all_ms"), Is.Null, "not all were greeted, so there is no time until all were");
            Assert.That(run.Notes(), Has.Some.Contains("The server stopped short:")
                .And.Contains("were refused with the server's '* server full, try again later'"), run.Output);
        });
    }

    [Test]
    public async Task Bench_spawn_floor_times_a_trivial_program_and_the_worker_binary_beside_chatfork()
    {
        using var run = await BenchRun.RunAsync(s_limit, "run", "spawn", "-n", "20", "--chatfork", ServerProcess.SupervisorPath);
        Assert.That(run.ExitCode, Is.Zero, run.Output);
        Assert.That(run.Metric("spawn_trivial_ms"), Is.Positive, run.Output);
        Assert.That(run.Metric("spawn_worker_ms"), Is.Positive, run.Output);
    }

    [Test]
    public async Task Bench_compare_reports_a_variant_this_build_lacks_instead_of_failing_and_adds_the_target_table()
    {
        var markdown = Path.Combine(Path.GetTempPath(), $"chatfork-bench-compare-{Guid.NewGuid():N}.md");
        try
        {
            using var run = await BenchRun.RunAsync(s_limit, "compare", "--scenarios", "spawn,echo-seq", "-n", "20",
                "--spawn-count", "10", "--budget", "3", "--chatfork", ServerProcess.SupervisorPath, "--markdown", markdown);
            Assert.That(run.ExitCode, Is.Zero, run.Output);
            var text = await File.ReadAllTextAsync(markdown);
            Assert.That(text, Does.Contain("## Issue 13's targets"));
            Assert.That(text, Does.Contain("spawn and exit of the worker binary"));
            var reuseRow = text.Split('\n').First(line => line.StartsWith("| echo-seq, --worker-reuse", StringComparison.Ordinal));
            var help = string.Join('\n', ProcessHelp());
            if (help.Contains("--worker-reuse", StringComparison.Ordinal))
            {
                Assert.That(reuseRow, Does.Not.Contain("not available in this build"), reuseRow);
            }
            else
            {
                Assert.That(reuseRow, Does.Contain("not available in this build"), reuseRow);
            }
        }
        finally
        {
            File.Delete(markdown);
        }
    }

    [Test]
    public async Task Bench_counts_a_perf_event_over_the_timed_part_of_chat_burst_per_delivery()
    {
        if (!File.Exists("/usr/bin/perf") && !File.Exists("/usr/local/bin/perf"))
        {
            Assert.Ignore("perf is not installed here; the CPU-per-delivery figure needs it.");
        }

        // task-clock, a software event every kernel counts, where instructions may be <not supported> (a VM).
        using var run = await BenchRun.RunAsync(s_limit, "run", "chat-burst", "-k", "3", "-m", "20",
            "--perf-event", "task-clock", "--chatfork", ServerProcess.SupervisorPath);
        Assert.That(run.ExitCode, Is.Zero, run.Output);
        Assert.That(run.Metric("perf_count"), Is.Positive, run.Output);
        Assert.That(run.Metric("perf_per_delivery"), Is.Positive, run.Output);
    }

    private static IEnumerable<string> ProcessHelp()
    {
        var start = new System.Diagnostics.ProcessStartInfo(ServerProcess.SupervisorPath, "--help")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        Assert.That(process.WaitForExit(30_000), Is.True, "chatfork --help did not finish");
        return [output.Result, errors.Result];
    }
}

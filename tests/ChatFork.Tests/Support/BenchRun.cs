using System.Diagnostics;
using System.Text.Json;

namespace ChatFork.Tests.Support;

/// <summary>
/// chatfork-bench (built next to the tests) run to completion under a time bound; killed (SIGTERM, then SIGKILL) if
/// it overstays, and any chatfork it left behind is killed by pid. Its --json report is parsed for the test.
/// </summary>
internal sealed record BenchRun(int ExitCode, string Output, JsonDocument? Report) : IDisposable
{
    public static string BenchPath => Path.Combine(ServerProcess.BinDirectory, "chatfork-bench");

    public static async Task<BenchRun> RunAsync(TimeSpan limit, params string[] arguments)
    {
        var json = Path.Combine(Path.GetTempPath(), $"chatfork-bench-test-{Guid.NewGuid():N}.json");
        var info = new ProcessStartInfo(BenchPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments.Concat(["--json", json]))
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // Pid and start time: a pid reused later by someone else's process is never touched.
        var seen = new HashSet<(int Pid, long? Started)>();
        var deadline = Stopwatch.StartNew();
        while (!process.HasExited && deadline.Elapsed < limit)
        {
            seen.UnionWith(ProcFs.Descendants(process.Id).Select(pid => (pid, ProcFs.StartTime(pid))));
            await Task.Delay(100, CancellationToken.None);
        }

        var timedOut = !process.HasExited;
        if (timedOut)
        {
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

        foreach (var (pid, started) in seen)
        {
            if (started is not null && ProcFs.StartTime(pid) == started
                && ProcFs.Stat(pid) is { Command: "chatfork" or "chatfork-worker", State: not 'Z' })
            {
                Native.Kill(pid, Native.SIGKILL);
            }
        }

        var output = await stdout + await stderr;
        JsonDocument? report = null;
        if (File.Exists(json))
        {
            report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            File.Delete(json);
        }

        return new BenchRun(timedOut ? -1 : process.ExitCode, timedOut ? $"(stopped after {limit})\n{output}" : output, report);
    }

    /// <summary>The value of metric <paramref name="key"/> in the report's first result, or null.</summary>
    public double? Metric(string key)
    {
        foreach (var metric in FirstResult().GetProperty("metrics").EnumerateArray())
        {
            if (metric.GetProperty("key").GetString() == key)
            {
                // A figure the run could not measure is written as null, or left out.
                return metric.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Number
                    ? value.GetDouble()
                    : null;
            }
        }

        return null;
    }

    public IReadOnlyList<string> Notes() =>
        FirstResult().GetProperty("notes").EnumerateArray().Select(note => note.GetString() ?? "").ToList();

    public void Dispose() => Report?.Dispose();

    private JsonElement FirstResult() =>
        (Report ?? throw new InvalidOperationException($"chatfork-bench wrote no JSON report. Its output:\n{Output}"))
            .RootElement.GetProperty("results")[0];
}

using System.Diagnostics;
using System.Globalization;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Cluster;

/// <summary>
/// A redis-server of the bench's own on 127.0.0.1, a free port and a temporary directory, without persistence (a
/// fresh one per set-up, so every set-up starts from an empty stream). Stopped by pid.
/// </summary>
internal sealed class BenchRedis : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private BenchRedis(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"redis://127.0.0.1:{Port}";

    public static async Task<BenchRedis> StartAsync(string? path, CancellationToken cancellationToken)
    {
        var port = FreePort.Pick();
        var directory = Path.Combine(Path.GetTempPath(), $"chatfork-bench-redis-{Environment.ProcessId}-{port}");
        Directory.CreateDirectory(directory);
        var info = new ProcessStartInfo(path ?? "redis-server")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[]
                 {
                     "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory,
                     "--appendonly", "no", "--save", "", "--daemonize", "no", "--logfile", "",
                 })
        {
            info.ArgumentList.Add(a);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new BenchException("Could not start redis-server.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new BenchException($"Could not start redis-server ({ex.Message}); install it (apt-get install redis-server) or give --redis-server.", ex);
        }

        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new BenchException("redis-server exited as it started."));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var redis = new BenchRedis(process, directory, port);
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }

        return redis;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

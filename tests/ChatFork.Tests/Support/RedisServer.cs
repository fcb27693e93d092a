using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NUnit.Framework;

namespace ChatFork.Tests.Support;

/// <summary>
/// A real <c>redis-server</c> of the test's own: its own port, its own data directory, started in the foreground
/// (optionally inside a network namespace) and killed by pid. No system service is used.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly string? _netns;
    private readonly bool _appendOnly;
    private Process? _process;

    private RedisServer(string? netns, string bind, int port, string directory, bool appendOnly)
    {
        _netns = netns;
        Bind = bind;
        Port = port;
        Directory = directory;
        _appendOnly = appendOnly;
    }

    public string Bind { get; }

    public int Port { get; }

    public string Directory { get; }

    public int Pid => _process?.Id ?? 0;

    public static bool Installed => File.Exists("/usr/bin/redis-server") || File.Exists("/usr/local/bin/redis-server");

    /// <summary>Starts Redis on <paramref name="bind"/>:<paramref name="port"/> (port 0: a free one on loopback).</summary>
    public static async Task<RedisServer> StartAsync(string? netns, string bind, int port, string directory, bool appendOnly)
    {
        if (!Installed)
        {
            Assert.Fail("redis-server is not installed; .ci/run installs it (apt-get install -y redis-server)");
        }

        var server = new RedisServer(netns, bind, port == 0 ? FreeLoopbackPort() : port, directory, appendOnly);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>(Re)starts the server on the same port and data directory: with appendonly, it reloads what it had.</summary>
    public async Task StartAgainAsync()
    {
        var args = new List<string>();
        if (_netns is not null)
        {
            args.AddRange(["netns", "exec", _netns]);
        }

        args.AddRange([
            "redis-server", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", Bind,
            "--dir", Directory, "--appendonly", _appendOnly ? "yes" : "no", "--save", "", "--daemonize", "no",
            "--protected-mode", "no", "--logfile", "",
        ]);
        var info = new ProcessStartInfo(_netns is null ? "redis-server" : "ip")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in _netns is null ? args.Skip(1) : args)
        {
            info.ArgumentList.Add(a);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Text.StringBuilder();
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start redis-server");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (log)
                {
                    log.AppendLine(line);
                }

                if (line.Contains("Ready to accept connections", StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (log)
                {
                    log.AppendLine(line);
                }
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("redis-server exited"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"redis-server did not start ({e.Message}). Its output:\n{log}", e);
        }
    }

    /// <summary>Stops it with <paramref name="signal"/> (SIGTERM: it writes its append-only file and exits) and waits.</summary>
    public async Task StopAsync(int signal = Native.SIGTERM)
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        Native.Kill(process.Id, signal);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await process.WaitForExitAsync(cancel.Token);
    }

    /// <summary>Runs redis-cli against it (inside its namespace); returns its output.</summary>
    public string Cli(params string[] args)
    {
        var all = new List<string>();
        if (_netns is not null)
        {
            all.AddRange(["netns", "exec", _netns]);
        }

        all.AddRange(["redis-cli", "-h", Bind == "0.0.0.0" ? "127.0.0.1" : Bind, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        all.AddRange(args);
        var (code, output) = _netns is null ? NetworkNamespace.Run("redis-cli", [.. all.Skip(1)]) : NetworkNamespace.Run("ip", [.. all]);
        if (code != 0)
        {
            throw new InvalidOperationException($"redis-cli {string.Join(' ', args)} failed: {output}");
        }

        return output.Trim();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                Native.Kill(process.Id, Native.SIGKILL);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}

using System.Diagnostics;
using System.Net.Sockets;
using NUnit.Framework;

namespace ChatFork.Tests.Support;

/// <summary>
/// A chatfork-worker started by the test itself, the way the supervisor starts one: a Unix socket listening for its
/// pipe, <c>--pipe PATH --supervisor PID</c> (this test process is its parent), and the given bytes on its standard
/// input, which is then closed. The test plays the supervisor's side of the pipe.
/// </summary>
internal sealed class DirectWorker : IAsyncDisposable
{
    private readonly string _directory;
    private readonly Socket _listener;
    private readonly Task<string> _errors;

    private DirectWorker(string directory, Socket listener, Process process)
    {
        _directory = directory;
        _listener = listener;
        Process = process;
        _errors = process.StandardError.ReadToEndAsync();
    }

    public Process Process { get; }

    /// <summary>What the worker wrote on standard error, once it has exited.</summary>
    public Task<string> Errors => _errors;

    public static async Task<DirectWorker> StartAsync(string workerPath, byte[] standardInput)
    {
        var directory = Directory.CreateTempSubdirectory("chatfork-test-worker-").FullName;
        var path = Path.Combine(directory, "w1");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var info = new ProcessStartInfo(workerPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--pipe", path, "--supervisor", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        var worker = new DirectWorker(directory, listener, process);
        await process.StandardInput.BaseStream.WriteAsync(standardInput);
        process.StandardInput.Close();
        return worker;
    }

    /// <summary>The worker's end of the pipe, once it has connected.</summary>
    public async Task<Socket> AcceptAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await _listener.AcceptAsync(timeout.Token);
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes from the pipe, or fails the test.</summary>
    public static async Task<byte[]> ReadExactlyAsync(Socket pipe, int count)
    {
        var bytes = new byte[count];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        for (var got = 0; got < count;)
        {
            var n = await pipe.ReceiveAsync(bytes.AsMemory(got), SocketFlags.None, timeout.Token);
            Assert.That(n, Is.GreaterThan(0), $"the pipe closed after {got} of {count} bytes");
            got += n;
        }

        return bytes;
    }

    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Process.WaitForExitAsync(timeout.Token);
        return Process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill();
            await Process.WaitForExitAsync();
        }

        Process.Dispose();
        _listener.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

using System.Diagnostics;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// The publish layout, as it ships: <c>dotnet publish src/Supervisor</c> compiles the worker with NativeAOT and puts it
/// next to chatfork. These tests publish once (about a minute on 2 cores) and run the real thing.
/// </summary>
[TestFixture]
[LinuxOnly("the Linux publish layout (an ELF NativeAOT worker); the Wine run tests the win-x64 publish itself")]
public sealed class NativeWorkerTests
{
    private string _publish = "";

    [OneTimeSetUp]
    public async Task PublishOnce()
    {
        var root = RepositoryRoot();
        _publish = Path.Combine(TestContext.CurrentContext.WorkDirectory, "native-publish");
        if (Directory.Exists(_publish))
        {
            Directory.Delete(_publish, recursive: true);
        }

        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "publish", "src/Supervisor", "-c", "Release", "-o", _publish, "-nologo", "--disable-build-servers" })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        Assert.That(process.ExitCode, Is.Zero, $"dotnet publish src/Supervisor failed (NativeAOT needs clang and the ILCompiler package):\n{await output}\n{await errors}");
    }

    [Test]
    public async Task The_published_worker_is_a_native_executable_and_serves_chat()
    {
        var worker = Path.Combine(_publish, "chatfork-worker");
        Assert.That(File.Exists(worker), Is.True);
        var head = new byte[4];
        await using (var file = File.OpenRead(worker))
        {
            await file.ReadExactlyAsync(head);
        }

        Assert.That(head, Is.EqualTo(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' }), "an ELF executable, not a managed apphost stub");
        Assert.That(File.Exists(Path.Combine(_publish, "chatfork-worker.dll")), Is.False, "the JIT worker is not left beside it");

        await using var server = await ServerProcess.StartFromAsync(_publish, "--prespawn", "1");
        var (alice, greeting) = await server.JoinAsync("alice");
        var (bob, _) = await server.JoinAsync("bob");
        await using var a = alice;
        await using var b = bob;
        var pid = ProcessModelTests.WorkerPidFrom(greeting[0]);

        var maps = await File.ReadAllTextAsync($"/proc/{pid}/maps");
        Assert.That(maps, Does.Not.Contain("libcoreclr.so"), "a NativeAOT worker loads no CoreCLR");
        Assert.That(maps, Does.Not.Contain("libclrjit.so"), "a NativeAOT worker loads no JIT");

        await alice.SendAsync("hello from a native worker");
        Assert.That((await bob.ReadUntilAsync(l => l.Contains("native worker", StringComparison.Ordinal), "alice's line")).Last(), Does.EndWith("> hello from a native worker"));
        var inode = ProcFs.TcpInode(server.EndPoint, alice.LocalEndPoint);
        Assert.That(ProcFs.SocketInodes(pid), Does.Contain(inode!.Value), "the native worker holds its client's socket");
    }

    [Test]
    public async Task Native_workers_die_with_a_supervisor_killed_by_SIGKILL()
    {
        await using var server = await ServerProcess.StartFromAsync(_publish, "--prespawn", "2");
        var (client, _) = await server.JoinAsync();
        await using var _ = client;
        Assert.That(await ServerProcess.EventuallyAsync(() => server.Children().Count == 3), Is.True);
        var workers = server.Children().Select(c => c.Pid).ToList();

        Native.Kill(server.Pid, Native.SIGKILL);
        // Dead means gone or a zombie: an orphan's exit status is for its new parent (PID 1) to collect.
        Assert.That(await ServerProcess.EventuallyAsync(() => workers.All(w => !ProcFs.Exists(w) || ProcFs.Stat(w)?.State == 'Z'), TimeSpan.FromSeconds(2)), Is.True,
            $"native workers still alive: {string.Join(", ", workers.Where(ProcFs.Exists))}");
        Assert.That(await client.DrainAsync(TimeSpan.FromSeconds(2)), Does.Contain("* server went away"));
    }

    [Test]
    public async Task Native_workers_echo_exactly()
    {
        await using var server = await ServerProcess.StartFromAsync(_publish, "--mode", "echo");
        await using var client = await server.ConnectAsync();
        await client.SendAsync("ünïcode ✓ line");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("ünïcode ✓ line"));
    }

    // The loop worker (src/Worker/Loop): its own thread and the runtime's finalizer, and nothing else, whatever it
    // does. The old worker had a pipe reader, a client writer (for a client that does not read), .NET's signal
    // thread and its socket engine's thread on top.
    [Test]
    public async Task A_native_worker_has_two_threads_idle_in_the_pool_after_a_hand_off_and_while_its_client_never_reads_a_flood()
    {
        await using var server = await ServerProcess.StartFromAsync(_publish, "--prespawn", "1", "--line-rate", "0");
        await server.WaitForLogAsync("supervisor/pool-ready:");
        var pooled = server.Children().Single().Pid;
        Assert.That(Threads(pooled), Is.EquivalentTo(new[] { "chatfork-worker", ".NET Finalizer" }), "an idle pooled worker");

        var (sender, _) = await server.JoinAsync("sender");
        var (reader, _) = await server.JoinAsync("reader");
        await using var s = sender;
        await using var r = reader;
        // The slow client joins and then never reads; a small receive buffer makes its window close sooner.
        using var slow = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await slow.ConnectAsync(server.EndPoint);
        await reader.ReadUntilAsync(l => l.Contains(" joined (", StringComparison.Ordinal), "the slow client's join");
        var inode = ProcFs.TcpInode(server.EndPoint, (System.Net.IPEndPoint)slow.LocalEndPoint!);
        var worker = server.Children().Select(c => c.Pid).Single(pid => ProcFs.SocketInodes(pid).Contains(inode!.Value));
        Assert.That(Threads(worker), Is.EquivalentTo(new[] { "chatfork-worker", ".NET Finalizer" }), "a worker just handed a client");

        // About 300 KB: more than the slow client's kernel buffers hold, less than its --send-queue (1 MiB), so its
        // worker holds the rest and waits for the socket to become writable: where the old one started a thread.
        const int count = 3000;
        var padding = new string('.', 80);
        var batch = new System.Text.StringBuilder();
        for (var i = 0; i < count; i++)
        {
            batch.Append(System.Globalization.CultureInfo.InvariantCulture, $"line {i} {padding}\n");
            if (batch.Length > 16 * 1024 || i == count - 1)
            {
                await sender.SendRawAsync(System.Text.Encoding.ASCII.GetBytes(batch.ToString()));
                batch.Clear();
                await Task.Delay(2);
            }
        }

        await reader.ReadUntilAsync(l => l.Contains($"> line {count - 1} ", StringComparison.Ordinal), "the last line", TimeSpan.FromSeconds(30));
        Assert.That(ProcFs.Exists(worker), Is.True, "the slow client's worker still serves it");
        Assert.That(Threads(worker), Is.EquivalentTo(new[] { "chatfork-worker", ".NET Finalizer" }), "a worker whose client does not read a flood");
        TestContext.Out.WriteLine($"the slow client's worker: Pss {ProcFs.PssKiB(worker)} KiB");
    }

    private static List<string> Threads(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task").Select(task => File.ReadAllText(Path.Combine(task, "comm")).Trim()).ToList();

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ChatFork.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"ChatFork.sln not found above {AppContext.BaseDirectory}");
    }
}

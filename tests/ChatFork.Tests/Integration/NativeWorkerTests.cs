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
        // 10 minutes: on a shared 2-core machine under load, this publish alone has taken more than 5.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
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
    // thread and its socket engine's thread on top. With --fanout shm the ring is read by the same loop.
    [TestCase("pipe")]
    [TestCase("shm")]
    public async Task A_native_worker_has_two_threads_idle_in_the_pool_after_a_hand_off_and_while_its_client_never_reads_a_flood(string fanout)
    {
        await using var server = await ServerProcess.StartFromAsync(_publish, "--prespawn", "1", "--line-rate", "0", "--fanout", fanout);
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

    [Test]
    public Task The_native_worker_reads_a_secret_without_a_newline_and_says_hello_with_it() =>
        WorkerStartTests.ReadsSecretAndSaysHelloAsync(Path.Combine(_publish, "chatfork-worker"));

    [Test]
    public Task The_native_worker_with_a_short_secret_exits_with_the_sentence_it_always_had() =>
        WorkerStartTests.RefusesShortSecretAsync(Path.Combine(_publish, "chatfork-worker"));

    [Test]
    public async Task The_native_worker_is_built_with_its_start_up_knobs()
    {
        // src/Worker/ChatFork.Worker.csproj: a position-dependent executable (ELF type ET_EXEC, 2) whose type data is
        // not dehydrated (no .hydrated section to rebuild at start), and a GC heap capped at 1 GiB.
        var worker = Path.Combine(_publish, "chatfork-worker");
        var image = await File.ReadAllBytesAsync(worker);
        Assert.That(BitConverter.ToUInt16(image, 16), Is.EqualTo(2), "e_type ET_EXEC: built with PositionIndependentExecutable=false");
        Assert.That(image.AsSpan().IndexOf(".hydrated"u8), Is.EqualTo(-1), "no .hydrated section: built with IlcDehydrate=false");

        await using var started = await DirectWorker.StartAsync(worker, System.Text.Encoding.ASCII.GetBytes(new string('a', 64) + "\n"));
        using var pipe = await started.AcceptAsync();
        await DirectWorker.ReadExactlyAsync(pipe, 42);
        // Without the cap the GC reserves twice the machine's memory up front (47 GiB on a 24 GiB machine); with it,
        // about 5.3 GiB in all, whatever the machine. (On a machine of under 4 GiB this cannot tell the two apart.)
        var status = await File.ReadAllLinesAsync($"/proc/{started.Process.Id}/status");
        var vmKiB = long.Parse(status.Single(l => l.StartsWith("VmSize:", StringComparison.Ordinal))[7..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(vmKiB, Is.LessThan(8L * 1024 * 1024), "the idle worker's address space is that of a GC heap capped at 1 GiB (System.GC.HeapHardLimit)");
    }

    [Test]
    public async Task Native_workers_under_the_heap_cap_carry_maximal_lines_past_a_full_send_queue()
    {
        // Lines of almost 1 MiB (--max-line's upper bound) to a reader that reads none until all are sent: its worker's
        // 1 MiB --send-queue fills, the rest waits in the supervisor (a --worker-queue that holds all four), and every
        // line still arrives whole.
        await using var server = await ServerProcess.StartFromAsync(_publish, "--max-line", "1048576", "--line-rate", "0", "--worker-queue", "16777216");
        var (alice, _) = await server.JoinAsync("alice");
        var (bob, _) = await server.JoinAsync("bob");
        await using var a = alice;
        await using var b = bob;
        var payload = new string('x', 1000 * 1000);
        for (var i = 1; i <= 4; i++)
        {
            await alice.SendAsync($"big{i} {payload}");
        }

        var lines = (await bob.ReadUntilAsync(l => l.Contains("big4 ", StringComparison.Ordinal), "the fourth big line", TimeSpan.FromSeconds(60)))
            .Where(l => l.Contains(" big", StringComparison.Ordinal)).ToList();
        Assert.That(lines, Has.Count.EqualTo(4), "every big line arrived");
        Assert.That(lines.Select(l => l.EndsWith(payload, StringComparison.Ordinal)), Is.All.True, "each one whole");
        Assert.That(server.HasExited, Is.False);
        Assert.That(server.Log, Does.Not.Contain("OutOfMemory"));
    }

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

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// <c>--worker-reuse N</c> end to end, with real processes: the default (a fresh process for every client), the
/// supervisor's side with a minimal reusable echo worker (the rogue worker's "recycler" mode, which also breaks the
/// protocol on purpose), and the real worker reused. The worker's own side is in <see cref="WorkerReuseTests"/>.
/// </summary>
public sealed partial class PreforkReuseTests
{
    [Test]
    public async Task With_reuse_off_every_client_gets_a_new_worker_process()
    {
        await using var server = await ServerProcess.StartAsync("--prespawn", "1");
        var pids = new List<int>();
        for (var i = 0; i < 8; i++)
        {
            var (client, greeting) = await server.JoinAsync($"client-{i}");
            pids.Add(ProcessModelTests.WorkerPidFrom(greeting[0]));
            await client.SendAsync("/quit");
            Assert.That(await client.WaitForEofAsync(), Is.True);
            await client.DisposeAsync();
        }

        Assert.That(pids.Distinct().Count(), Is.EqualTo(pids.Count), $"a pid served two clients: {string.Join(", ", pids)}");
        Assert.That(server.Log, Does.Not.Contain("recycle/worker-recycled"));
    }

    [Test]
    [LinuxOnly("reads the workers' command lines from /proc")]
    public async Task Workers_are_started_with_reusable_only_when_worker_reuse_is_2_or_more()
    {
        foreach (var (reuse, expected) in new[] { ("0", false), ("1", false), ("3", true) })
        {
            await using var server = await ServerProcess.StartAsync("--prespawn", "2", "--worker-reuse", reuse);
            Assert.That(await ServerProcess.EventuallyAsync(() => server.WorkerPids().Count == 2), Is.True);
            foreach (var pid in server.WorkerPids())
            {
                Assert.That(ProcFs.CommandLine(pid).Contains("--reusable"), Is.EqualTo(expected),
                    $"--worker-reuse {reuse}: worker {pid} runs {string.Join(' ', ProcFs.CommandLine(pid))}");
            }

            // Whatever the worker does with it, the server serves.
            var (client, _) = await server.JoinAsync();
            await client.DisposeAsync();
        }
    }

    [Test]
    public async Task Worker_reuse_is_a_named_option_off_by_default_in_help()
    {
        var info = TestTarget.StartInfo(ServerProcess.SupervisorPath, ["--help"]);
        using var process = System.Diagnostics.Process.Start(info)!;
        var help = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(help, Does.Match(@"--worker-reuse\s+\(Default: 0\)"));
    }

    [TestCase("-1", "--worker-reuse cannot be negative")]
    [TestCase("2", "--worker-reuse is not supported with --protocol irc", "--protocol", "irc")]
    [TestCase("2", "--worker-reuse applies to --model process only", "--model", "thread")]
    public async Task A_worker_reuse_that_cannot_apply_ends_the_program_with_a_clear_error(string reuse, string error, params string[] more)
    {
        var info = TestTarget.StartInfo(ServerProcess.SupervisorPath, ["--worker-reuse", reuse, "--port", "0", "--log-file", "none", .. more]);
        using var process = System.Diagnostics.Process.Start(info)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain(error));
    }

    [Test]
    public async Task A_reusable_worker_serves_clients_in_turn_up_to_worker_reuse_then_retires_and_is_reaped()
    {
        await using var server = await StartRecyclerAsync("recycler", "--worker-reuse", "5", "--prespawn", "1");
        var served = new List<(int Pid, int Use)>();
        for (var i = 0; i < 20; i++)
        {
            served.Add(await EchoWithRecyclerAsync(server, i));
        }

        var byPid = served.GroupBy(s => s.Pid).ToDictionary(g => g.Key, g => g.Select(s => s.Use).ToList());
        var story = string.Join("; ", byPid.Select(p => $"{p.Key}: uses {string.Join(",", p.Value)}"));
        Assert.That(byPid.Count, Is.LessThanOrEqualTo(4 + 3), $"20 clients with --worker-reuse 5 need about 4 processes, and a few the pool started: {story}");
        Assert.That(byPid.Values.All(uses => uses.Max() <= 5), Is.True, $"no process may serve more than 5: {story}");
        Assert.That(byPid.Values.Any(uses => uses.Count >= 2), Is.True, $"some process must have served several clients: {story}");

        // A worker that served five retires: it is sent Shutdown, exits 0 and is reaped as any other.
        var five = byPid.First(p => p.Value.Count == 5).Key;
        await server.WaitForLogAsync($@"recycle/worker-recycled: worker {five} recycled .*use 5 of 5: retiring, it has served 5 clients \(--worker-reuse 5\)");
        await server.WaitForLogAsync($@"reaper/worker-exited: worker {five} exited with code 0 .*retiring after 5 clients");
        Assert.That(await ServerProcess.EventuallyAsync(() => !server.IsRunning(five)), Is.True, $"worker {five} should have exited");
        Assert.That(server.Log, Does.Contain("back in the pool"));
        Assert.That(server.Log, Does.Not.Contain("protocol-violation"));
        Assert.That(server.Log, Does.Not.Contain(TestTarget.KilledBySupervisor));
    }

    [Test]
    public async Task A_worker_that_says_Recycled_without_Leaving_is_killed_and_the_next_client_gets_another_process()
    {
        await using var server = await StartRecyclerAsync("recycler-unasked", "--worker-reuse", "5", "--prespawn", "1");
        var (first, _) = await EchoWithRecyclerAsync(server, 0);
        await server.WaitForLogAsync($@"pipe/protocol-violation: worker {first} broke the pipe protocol: Recycled arrived without a Leaving frame first");
        await server.WaitForLogAsync($@"reaper/worker-exited: worker {first} {Regex.Escape(TestTarget.KilledBySupervisor)}");

        // The violation makes the launcher back off briefly ("* server busy"); then another process serves.
        var next = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (next == 0 && DateTime.UtcNow < deadline)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(server.EndPoint);
            var firstLine = Encoding.ASCII.GetString(await ReceiveLinesAsync(socket, 1));
            if (RecyclerLine().Match(firstLine) is { Success: true } m)
            {
                next = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            }
            else
            {
                Assert.That(firstLine, Does.StartWith("* server busy"));
                await Task.Delay(200);
            }
        }

        Assert.That(next, Is.Not.Zero, "no client was served after the back-off. Log:\n" + server.Log);
        Assert.That(next, Is.Not.EqualTo(first));
    }

    [Test]
    public async Task Twenty_echo_clients_in_turn_with_worker_reuse_5_are_served_by_a_handful_of_processes()
    {
        await using var server = await ServerProcess.StartAsync("--mode", "echo", "--worker-reuse", "5", "--prespawn", "1");
        var pids = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            pids.Add(await EchoOnceAsync(server, i));
        }

        var story = string.Join(", ", pids);
        Assert.That(pids.Distinct().Count(), Is.LessThanOrEqualTo(4 + 3), $"20 clients with --worker-reuse 5: {story}");
        Assert.That(pids.GroupBy(p => p).All(g => g.Count() <= 5), Is.True, $"no process may serve more than 5: {story}");
        Assert.That(server.Log, Does.Match(@"recycle/worker-recycled: .*use 5 of 5: retiring"));
    }

    [Test]
    public async Task With_reuse_off_every_echo_client_gets_a_new_worker_process()
    {
        await using var server = await ServerProcess.StartAsync("--mode", "echo", "--prespawn", "1");
        var pids = new List<int>();
        for (var i = 0; i < 10; i++)
        {
            pids.Add(await EchoOnceAsync(server, i));
        }

        Assert.That(pids.Distinct().Count(), Is.EqualTo(10), string.Join(", ", pids));
    }

    [Test]
    public async Task Ps_shows_how_many_clients_each_worker_has_served()
    {
        // One worker at most (--max-clients 1 with --prespawn 1): every client is served by the same process.
        await using var server = await ServerProcess.StartAsync("--worker-reuse", "3", "--prespawn", "1", "--max-clients", "1");
        var (first, greeting) = await server.JoinAsync("first");
        var pid = ProcessModelTests.WorkerPidFrom(greeting[0]);
        await first.SendAsync("/quit");
        Assert.That(await first.WaitForEofAsync(), Is.True);
        await first.DisposeAsync();
        await server.WaitForLogAsync($@"recycle/worker-recycled: worker {pid} recycled .*use 1 of 3: back in the pool");

        var (second, again) = await server.JoinAsync("second");
        await using var _ = second;
        Assert.That(ProcessModelTests.WorkerPidFrom(again[0]), Is.EqualTo(pid), "the same process serves the second client");
        await second.SendAsync("/ps");
        var table = await second.ReadUntilAsync(l => l.Contains("processes:", StringComparison.Ordinal), "the end of /ps");

        Assert.That(table, Has.Some.Match(@"^\* PID\s+ROLE\s+NICK\s+UPTIME\s+MEMORY\s+USES\s+CLIENT"));
        Assert.That(table, Has.Some.Match($@"^\* {pid}\s+worker\s+guest-\d+\s+\S+\s+\S+ MiB\s+2/3\s+127\.0\.0\.1:{second.LocalEndPoint.Port}$"));
    }

    [Test]
    public async Task A_reused_worker_shows_its_next_client_nothing_of_the_previous_one()
    {
        // Two processes at most: alice's worker is the one carol gets once alice has gone.
        await using var server = await ServerProcess.StartAsync("--worker-reuse", "5", "--prespawn", "1", "--max-clients", "2");
        var (alice, aliceGreeting) = await server.JoinAsync("alice");
        var alicesWorker = ProcessModelTests.WorkerPidFrom(aliceGreeting[0]);
        var (bob, _) = await server.JoinAsync("bob");
        await using var b = bob;
        await bob.SendAsync("a secret for alice");
        await alice.ReadUntilAsync(l => l.EndsWith("> a secret for alice", StringComparison.Ordinal), "bob's line");

        // alice leaves while bob floods: lines for alice may still be in her worker's pipe after its Recycled.
        await alice.SendAsync("/quit");
        for (var i = 0; i < 50; i++)
        {
            await bob.SendAsync($"flood {i}");
        }

        await bob.SendAsync("/who"); // answered after the room took every flood line
        await bob.ReadUntilAsync(l => l.Contains(" here:", StringComparison.Ordinal), "bob's /who");
        Assert.That(await alice.WaitForEofAsync(), Is.True);
        await alice.DisposeAsync();
        await server.WaitForLogAsync($@"recycle/worker-recycled: worker {alicesWorker} ");

        var (carol, carolGreeting) = await server.JoinAsync("carol");
        await using var c = carol;
        Assert.That(ProcessModelTests.WorkerPidFrom(carolGreeting[0]), Is.EqualTo(alicesWorker), "carol should get alice's worker");
        var rest = await carol.DrainAsync(TimeSpan.FromMilliseconds(500));
        var seen = carolGreeting.Concat(rest).ToList();
        Assert.That(seen, Has.None.Contains("secret"), string.Join("\n", seen));
        Assert.That(seen, Has.None.Contains("flood"), string.Join("\n", seen));
        Assert.That(seen, Has.None.Contains("alice"), string.Join("\n", seen));
    }

    [Test]
    public async Task A_client_that_hits_a_limit_is_never_followed_by_a_reuse_of_its_process()
    {
        await using var server = await ServerProcess.StartAsync("--worker-reuse", "5", "--prespawn", "1", "--max-line", "64");
        var (flooder, greeting) = await server.JoinAsync("flooder");
        var tainted = ProcessModelTests.WorkerPidFrom(greeting[0]);
        await flooder.SendAsync(new string('x', 200));
        Assert.That(await flooder.WaitForEofAsync(), Is.True, "a line past --max-line ends the connection");
        await flooder.DisposeAsync();

        await AssertNeverServedAgainAsync(server, tainted);
        Assert.That(server.Log, Does.Not.Match($@"recycle/worker-recycled: worker {tainted} "));
    }

    [Test]
    public async Task A_crashed_worker_is_never_reused()
    {
        await using var server = await ServerProcess.StartAsync("--worker-reuse", "5", "--prespawn", "1", "--enable-crash-command");
        var (crasher, greeting) = await server.JoinAsync("crasher");
        var crashed = ProcessModelTests.WorkerPidFrom(greeting[0]);
        await crasher.SendAsync("/crash");
        Assert.That(await crasher.WaitForEofAsync(), Is.True);
        await crasher.DisposeAsync();

        await AssertNeverServedAgainAsync(server, crashed);
        await server.WaitForLogAsync($@"reaper/worker-exited: worker {crashed} ");
    }

    // Six clients in turn (each quits): none is served by `pid`, which is gone.
    private static async Task AssertNeverServedAgainAsync(ServerProcess server, int pid)
    {
        Assert.That(await ServerProcess.EventuallyAsync(() => !server.IsRunning(pid)), Is.True, $"worker {pid} should have exited");
        for (var i = 0; i < 6; i++)
        {
            var (client, greeting) = await server.JoinAsync($"next-{i}");
            Assert.That(ProcessModelTests.WorkerPidFrom(greeting[0]), Is.Not.EqualTo(pid));
            await client.SendAsync("/quit");
            await client.WaitForEofAsync();
            await client.DisposeAsync();
        }
    }

    private static Task<ServerProcess> StartRecyclerAsync(string mode, params string[] options) =>
        ServerProcess.StartAsync(new Dictionary<string, string> { ["CHATFORK_ROGUE"] = mode },
            ["--mode", "echo", "--worker", ServerProcess.RogueWorkerPath, .. options]);

    // One client of the rogue recycler: its first line names the process and the use; then an echo; then close.
    private static async Task<(int Pid, int Use)> EchoWithRecyclerAsync(ServerProcess server, int i)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.EndPoint);
        var ping = Encoding.ASCII.GetBytes($"ping {i}\n");
        await socket.SendAsync(ping);
        var text = Encoding.ASCII.GetString(await ReceiveLinesAsync(socket, 2));
        var match = RecyclerLine().Match(text);
        Assert.That(match.Success, Is.True, $"client {i} read: {text}");
        Assert.That(text, Does.EndWith($"ping {i}\n"));
        socket.Shutdown(SocketShutdown.Send);
        Assert.That(await Sockets.ReceiveAsync(socket, 1, TimeSpan.FromSeconds(10)), Is.Empty, "EOF after the echo");
        return (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    // One echo client of the real worker; the pid that served it, from the supervisor's hand-off line.
    private static async Task<int> EchoOnceAsync(ServerProcess server, int i)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.EndPoint);
        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        var ping = Encoding.ASCII.GetBytes($"ping {i}\n");
        await socket.SendAsync(ping);
        Assert.That(await Sockets.ReceiveAsync(socket, ping.Length, TimeSpan.FromSeconds(10)), Is.EqualTo(ping));
        socket.Shutdown(SocketShutdown.Send);
        Assert.That(await Sockets.ReceiveAsync(socket, 1, TimeSpan.FromSeconds(10)), Is.Empty, "EOF after the echo");
        var line = await server.WaitForLogAsync($@"handoff/handed-off: handed connection \d+ \(127\.0\.0\.1:{port}\) to worker \d+");
        return int.Parse(HandedTo().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static async Task<byte[]> ReceiveLinesAsync(Socket socket, int lines)
    {
        var received = new List<byte>();
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (received.Count(b => b == '\n') < lines)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (n == 0)
            {
                break;
            }

            received.AddRange(buffer.AsSpan(0, n));
        }

        return [.. received];
    }

    [GeneratedRegex(@"^rogue recycler (\d+) use (\d+)\n")]
    private static partial Regex RecyclerLine();

    [GeneratedRegex(@"to worker (\d+)")]
    private static partial Regex HandedTo();
}

using System.Diagnostics;
using System.Net;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>Process death, from every side: real signals, real reaping, /proc as the witness.</summary>
public sealed class LifecycleTests
{
    [TestCase(Native.SIGKILL, "SIGKILL")]
    [TestCase(Native.SIGTERM, "SIGTERM")]
    public async Task A_killed_worker_is_reaped_the_room_is_told_how_it_died_and_the_others_keep_chatting(int signal, string name)
    {
        await using var server = await ServerProcess.StartAsync();
        var (victim, greeting) = await server.JoinAsync("victim");
        var (alice, _) = await server.JoinAsync("alice");
        var (bob, _) = await server.JoinAsync("bob");
        await using var v = victim;
        await using var a = alice;
        await using var b = bob;
        var worker = ProcessModelTests.WorkerPidFrom(greeting[0]);

        server.Signal(worker, signal);

        // Wine difference: a Wine process killed by a Linux signal exits "with code 0" as far as Windows can tell.
        var how = TestTarget.KilledFromOutside(name);
        var leave = (await alice.ReadUntilAsync(l => l.Contains(" left (", StringComparison.Ordinal), "the leave notice")).Last();
        Assert.That(leave, Does.EndWith($"left (worker {worker} {how})"));
        Assert.That(await victim.WaitForEofAsync(), Is.True, "the victim's connection closed with its worker");
        Assert.That(await ServerProcess.EventuallyAsync(() => !server.IsRunning(worker)), Is.True, $"worker {worker} was not reaped");
        Assert.That(server.Children().Where(c => c.State == 'Z'), Is.Empty, "a zombie is left");

        await alice.SendAsync("still here");
        Assert.That((await bob.ReadUntilAsync(l => l.Contains("still here", StringComparison.Ordinal), "alice's line")).Last(), Does.EndWith("> still here"));
        await server.WaitForLogAsync($"reaper/worker-exited: worker {worker} {how}");
    }

    [Test]
    public async Task When_the_supervisor_is_killed_with_SIGKILL_every_worker_exits_within_a_second_and_clients_see_EOF()
    {
        await using var server = await ServerProcess.StartAsync("--prespawn", "2");
        var clients = new List<ChatClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                clients.Add((await server.JoinAsync($"c{i}")).Client);
            }

            Assert.That(await ServerProcess.EventuallyAsync(() => server.WorkerPids().Count >= 5), Is.True, "3 busy and 2 pooled workers");
            // Linux pids: once the supervisor is dead, its log can no longer map a Windows pid under Wine.
            var workers = server.WorkerPids().Select(w => server.HostPidOf(w) ?? 0).Where(w => w != 0).ToList();

            var killed = Stopwatch.StartNew();
            Native.Kill(server.HostPid, Native.SIGKILL);
            Assert.That(await ServerProcess.EventuallyAsync(() => workers.All(w => !ProcFs.Exists(w) || ProcFs.Stat(w)?.State == 'Z'), TimeSpan.FromSeconds(5)),
                Is.True, $"workers still alive: {string.Join(", ", workers.Where(ProcFs.Exists))}");
            Assert.That(killed.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "orphans must not outlive the supervisor by more than a second");

            foreach (var client in clients)
            {
                var rest = await client.DrainAsync(TimeSpan.FromSeconds(5));
                Assert.That(client.Closed, Is.True, $"{client.Name} did not see EOF");
                if (!TestTarget.IsWine)
                {
                    // PR_SET_PDEATHSIG sends SIGHUP, which a worker handles by saying goodbye. Windows' kill-on-close
                    // Job terminates a worker outright: its client sees EOF with no last line.
                    Assert.That(rest, Does.Contain("* server went away"), $"{client.Name}'s last lines");
                }
            }
        }
        finally
        {
            foreach (var c in clients)
            {
                await c.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task SIGTERM_tells_every_client_reaps_every_worker_and_exits_0()
    {
        await using var server = await ServerProcess.StartAsync("--prespawn", "2");
        var (alice, _) = await server.JoinAsync("alice");
        var (bob, _) = await server.JoinAsync("bob");
        await using var a = alice;
        await using var b = bob;
        Assert.That(await ServerProcess.EventuallyAsync(() => server.WorkerPids().Count >= 4), Is.True);
        var workers = server.WorkerPids().Select(w => server.HostPidOf(w) ?? 0).Where(w => w != 0).ToList();

        // SIGTERM on Linux; under Wine, where SIGTERM kills a process outright, SIGINT (Ctrl+C) asks the same.
        var exitCode = await server.StopAsync();

        Assert.That(exitCode, Is.EqualTo(0), server.Log);
        foreach (var client in new[] { alice, bob })
        {
            var rest = await client.DrainAsync(TimeSpan.FromSeconds(5));
            Assert.That(rest, Does.Contain("* server shutting down"));
            Assert.That(client.Closed, Is.True);
        }

        Assert.That(await ServerProcess.EventuallyAsync(() => !workers.Any(w => ProcFs.Exists(w) && ProcFs.Stat(w)?.State != 'Z')), Is.True,
            "no worker outlives a clean shutdown");
        Assert.That(server.Log.TrimEnd().Split('\n').Last(), Does.Contain("INFO  ").And.Contain("supervisor/shutdown-finished:"));
    }

    [Test]
    public async Task Ctrl_C_reaching_every_process_of_the_group_still_shuts_down_in_order()
    {
        // A terminal's Ctrl+C signals the whole foreground process group. The test cannot signal its own group, so
        // it sends SIGINT to each process of the server, workers first, as the terminal would.
        await using var server = await ServerProcess.StartAsync("--prespawn", "1");
        var (alice, _) = await server.JoinAsync("alice");
        await using var a = alice;
        // Wait for the pool's replacement to be up, so every worker signalled is one that has started.
        Assert.That(await ServerProcess.EventuallyAsync(() => server.Log.Split('\n').Count(l => l.Contains("attach/worker-attached:", StringComparison.Ordinal)) >= 2), Is.True);
        foreach (var worker in server.WorkerPids())
        {
            server.Signal(worker, Native.SIGINT);
        }

        Native.Kill(server.HostPid, Native.SIGINT);
        await server.WaitForExitAsync(TimeSpan.FromSeconds(15));
        var rest = await alice.DrainAsync(TimeSpan.FromSeconds(5));
        Assert.That(rest, Does.Contain("* server shutting down"), "workers ignore SIGINT and finish in order");
        Assert.That(server.Log, Does.Not.Contain("killed by SIGINT"));
        Assert.That(server.ExitCode, Is.EqualTo(0), "an orderly shutdown exits 0");
        Assert.That(server.Log.TrimEnd().Split('\n').Last(), Does.Contain("INFO  ").And.Contain("supervisor/shutdown-finished:"));
    }

    [Test]
    public async Task A_worker_that_will_not_exit_is_killed_after_the_shutdown_timeout_and_the_exit_code_says_so()
    {
        await using var server = await ServerProcess.StartAsync("--shutdown-timeout", "1");
        var (client, greeting) = await server.JoinAsync();
        await using var _ = client;
        var worker = ProcessModelTests.WorkerPidFrom(greeting[0]);
        var host = server.HostPidOf(worker)!.Value;
        server.Signal(worker, 19); // SIGSTOP: it cannot act on the shutdown frame

        var stopped = Stopwatch.StartNew();
        var exitCode = await server.StopAsync();

        Assert.That(exitCode, Is.EqualTo(1), server.Log);
        Assert.That(stopped.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(await ServerProcess.EventuallyAsync(() => !ProcFs.Exists(host) || (TestTarget.IsWine && ProcFs.Stat(host)?.State == 'Z')), Is.True,
            "the stopped worker was killed and reaped");
        Assert.That(server.Log, Does.Contain($"reaper/worker-exited: worker {worker} {TestTarget.KilledBySupervisor}"));
        Assert.That(server.Log.TrimEnd().Split('\n').Last(), Does.Contain("WARN  ").And.Contain("supervisor/shutdown-finished:"));
    }

    [Test]
    public async Task When_the_worker_executable_is_missing_clients_are_told_and_service_resumes_once_it_is_back()
    {
        // Under Wine the stand-in must be an .exe beside the real one: a JIT worker's apphost finds its .dll in its
        // own folder, and Windows looks a program up by its .exe name.
        var workerPath = TestTarget.IsWine
            ? Path.Combine(TestTarget.Directory, $"missing-worker-{Guid.NewGuid():N}.exe")
            : Path.Combine(TestContext.CurrentContext.WorkDirectory, $"missing-worker-{Guid.NewGuid():N}");
        await using var server = await ServerProcess.StartAsync("--worker", workerPath);
        try
        {
            await using (var refused = await server.ConnectAsync("refused"))
            {
                Assert.That(await refused.ReadLineAsync(), Is.EqualTo("* server busy, try again"));
                Assert.That(await refused.WaitForEofAsync(), Is.True);
            }

            await server.WaitForLogAsync("launcher/spawn-backoff:");
            Assert.That(server.HasExited, Is.False, "the supervisor survives failed starts");

            if (TestTarget.IsWine)
            {
                File.Copy(ServerProcess.WorkerPath, workerPath);
            }
            else
            {
                File.CreateSymbolicLink(workerPath, ServerProcess.WorkerPath);
            }

            // The back-off is at most 5 s; keep trying, bounded, until a connection is served.
            var served = false;
            for (var attempt = 0; attempt < 40 && !served; attempt++)
            {
                await using var client = await server.ConnectAsync($"try{attempt}");
                var first = await client.ReadLineAsync();
                served = first is not null && first.StartsWith("* welcome", StringComparison.Ordinal);
                if (!served)
                {
                    await Task.Delay(250);
                }
            }

            Assert.That(served, Is.True, server.Log);
        }
        finally
        {
            File.Delete(workerPath);
        }
    }

    [Test]
    [LinuxOnly("socket ownership by inode in /proc; under Wine wineserver holds every socket (see HandleInheritanceTests)")]
    public async Task A_worker_holds_its_own_client_socket_and_its_pipe_and_no_other_socket_of_the_server()
    {
        await using var server = await ServerProcess.StartAsync("--prespawn", "1");
        var (alice, greetingA) = await server.JoinAsync("alice");
        var (bob, greetingB) = await server.JoinAsync("bob");
        await using var a = alice;
        await using var b = bob;
        var aliceWorker = ProcessModelTests.WorkerPidFrom(greetingA[0]);
        var bobWorker = ProcessModelTests.WorkerPidFrom(greetingB[0]);

        var listening = ProcFs.TcpInode(server.EndPoint, new IPEndPoint(IPAddress.Any, 0));
        var aliceSocket = ProcFs.TcpInode(server.EndPoint, alice.LocalEndPoint);
        var bobSocket = ProcFs.TcpInode(server.EndPoint, bob.LocalEndPoint);
        Assert.That(new[] { listening, aliceSocket, bobSocket }, Has.None.Null);

        var sockets = ProcFs.SocketInodes(aliceWorker);
        Assert.That(sockets, Does.Contain(aliceSocket!.Value));
        Assert.That(sockets, Does.Not.Contain(listening!.Value), "the listening socket leaked into a worker");
        Assert.That(sockets, Does.Not.Contain(bobSocket!.Value), "another client's socket leaked into a worker");

        // Every TCP socket the worker holds is its own client's; every other socket is a Unix socket (its pipe,
        // and, for a JIT-compiled worker, the runtime's diagnostics endpoint), none of them another worker's pipe.
        var tcp = TcpInodes();
        Assert.That(sockets.Where(tcp.Contains), Is.EqualTo(new[] { aliceSocket.Value }));
        var bobsUnixSockets = ProcFs.SocketInodes(bobWorker).Where(i => !tcp.Contains(i));
        Assert.That(sockets.Intersect(bobsUnixSockets), Is.Empty);

        // Beyond standard input, output and error, a worker shares no pipe or socket with the supervisor: not the
        // supervisor's own, and not what the test runner above it had open (the supervisor marks those close-on-exec).
        var stdio = ProcFs.FdTargets(aliceWorker, 0, 1, 2);
        var shared = ProcFs.FdTargets(aliceWorker)
            .Where(t => t.StartsWith("pipe:", StringComparison.Ordinal) || t.StartsWith("socket:", StringComparison.Ordinal))
            .Intersect(ProcFs.FdTargets(server.Pid))
            .Except(stdio);
        Assert.That(shared, Is.Empty, "descriptors the worker holds in common with the supervisor");
        Assert.That(ProcFs.FdTargets(aliceWorker), Has.None.Contains(".log"), "the supervisor's log file leaked into a worker");
    }

    [Test]
    [LinuxOnly("zombies and the supervisor's descriptors, from /proc; under Wine wineserver holds the sockets")]
    public async Task A_hundred_connect_disconnect_cycles_leave_no_zombie_and_no_growth_in_the_supervisors_descriptors()
    {
        await using var server = await ServerProcess.StartAsync("--prespawn", "2");
        // Warm up: the first connections allocate what the server keeps (thread pool, epoll registrations).
        for (var i = 0; i < 10; i++)
        {
            var (c, _) = await server.JoinAsync();
            await c.DisposeAsync();
        }

        await WaitForWorkers(server, 2);
        var before = Handles(server.Pid);
        var beforeTargets = HandleTargets(server.Pid);

        var deadline = Stopwatch.StartNew();
        for (var i = 0; i < 100 && deadline.Elapsed < TimeSpan.FromSeconds(60); i++)
        {
            var (c, _) = await server.JoinAsync();
            await c.SendAsync("/quit");
            await c.WaitForEofAsync();
            await c.DisposeAsync();
        }

        await WaitForWorkers(server, 2);
        // A leak grows by one or more per cycle (100 or more here); a pool worker being replaced at this moment
        // holds one or two for a while (long on a loaded machine: a JIT-compiled worker starts slowly). Let it settle.
        await ServerProcess.EventuallyAsync(() => Handles(server.Pid) <= before, TimeSpan.FromSeconds(20));
        var after = Handles(server.Pid);
        var grew = string.Join(", ", HandleTargets(server.Pid).Except(beforeTargets));
        Assert.That(ProcFs.Children(server.Pid).Where(c => c.State == 'Z'), Is.Empty);
        Assert.That(ProcFs.Zombies().Where(z => z.ParentPid == server.Pid), Is.Empty);
        // A leak per connection would show as a hundred or more. The runtime may open a descriptor or two of its own
        // lazily under load (an eventfd, a timer); that is not growth with connections.
        Assert.That(after, Is.LessThanOrEqualTo(before + 2), $"the supervisor's sockets and pipes grew from {before} to {after}: new ones: {grew}");
        int Reaped() => server.Log.Split('\n').Count(l => l.Contains("reaper/worker-reaped:", StringComparison.Ordinal));
        Assert.That(await ServerProcess.EventuallyAsync(() => Reaped() >= 110), Is.True, $"{Reaped()} reaps logged for 110 exits");
    }

    // Sockets, pipes and epoll/event fds: what a leak per connection would grow. (Files such as lazily loaded
    // assemblies are opened once and are not counted.)
    private static int Handles(int pid) => HandleTargets(pid).Count;

    private static List<string> HandleTargets(int pid) =>
        ProcFs.FdTargets(pid).Where(t => t.StartsWith("socket:", StringComparison.Ordinal) || t.StartsWith("pipe:", StringComparison.Ordinal)
                                         || t.StartsWith("anon_inode:", StringComparison.Ordinal)).ToList();

    [Test]
    [LinuxOnly("Unix pipe files in the temporary folder; Windows named pipes leave no file behind")]
    public async Task Pipe_names_left_by_a_dead_supervisor_are_removed_and_a_live_ones_are_not()
    {
        var dead = Enumerable.Range(3_000_000, 1000).First(pid => !ProcFs.Exists(pid));
        var stale = Path.Combine(Path.GetTempPath(), $"chatfork-{dead}-1.pipe");
        var live = Path.Combine(Path.GetTempPath(), $"chatfork-{Environment.ProcessId}-1.pipe");
        await File.WriteAllTextAsync(stale, "");
        await File.WriteAllTextAsync(live, "");
        try
        {
            await using var server = await ServerProcess.StartAsync();
            Assert.That(File.Exists(stale), Is.False, "a dead supervisor's pipe name is cleaned up");
            Assert.That(File.Exists(live), Is.True, "a live process's pipe name is not touched");
        }
        finally
        {
            File.Delete(stale);
            File.Delete(live);
        }
    }

    private static async Task WaitForWorkers(ServerProcess server, int count) =>
        Assert.That(await ServerProcess.EventuallyAsync(() => server.Children().Count == count, TimeSpan.FromSeconds(20)), Is.True,
            $"expected {count} pooled workers, found {server.Children().Count}");

    private static HashSet<long> TcpInodes() =>
        File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[9])
            .Select(s => long.Parse(s, System.Globalization.CultureInfo.InvariantCulture))
            .ToHashSet();
}

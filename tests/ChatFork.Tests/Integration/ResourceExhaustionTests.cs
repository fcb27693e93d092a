using System.Globalization;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// Running out of processes and threads: a pids cgroup of the test's own caps the supervisor and its workers, and
/// the supervisor must survive it, keep serving the clients it has, tell new ones it is busy, and recover when the
/// cap is lifted. <c>prlimit --nproc</c> cannot do this as root (the kernel does not apply RLIMIT_NPROC to a process
/// with CAP_SYS_RESOURCE or CAP_SYS_ADMIN), so it takes a cgroup, which only root can make here.
/// </summary>
[LinuxOnly("pids cgroups, /proc and the supervisor's own threads are Linux's")]
[NonParallelizable]
public sealed class ResourceExhaustionTests
{
    private const string PidsHierarchy = "/sys/fs/cgroup/pids";

    // The thread pool's wait threads each hold 63 waits: on the old code the 64th live worker made the supervisor
    // start a thread of its own (Process.Exited), the moment the last pid had just gone to that worker.
    private const int WorkersBeforeTheCap = 63;

    private string? _cgroup;

    [SetUp]
    public void MakeCgroup()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Ignore("Only root can make a pids cgroup here; as another user there is no way to cap the supervisor's pids (prlimit --nproc counts every process of the user).");
        }

        if (!File.Exists(Path.Combine(PidsHierarchy, "cgroup.procs")))
        {
            Assert.Ignore($"No cgroup v1 pids hierarchy at {PidsHierarchy}, so the supervisor's pids cannot be capped.");
        }

        _cgroup = Path.Combine(PidsHierarchy, $"chatfork-test-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(_cgroup);
        File.WriteAllText(Path.Combine(_cgroup, "pids.max"), "max");
    }

    [TearDown]
    public async Task RemoveCgroup()
    {
        if (_cgroup is null || !Directory.Exists(_cgroup))
        {
            return;
        }

        // Whatever is still in it was started by this test (the supervisor's wrapper shell and its workers).
        File.WriteAllText(Path.Combine(_cgroup, "pids.max"), "max");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Members().Count > 0 && DateTime.UtcNow < deadline)
        {
            foreach (var pid in Members())
            {
                Native.Kill(pid, Native.SIGKILL);
            }

            await Task.Delay(50);
        }

        Directory.Delete(_cgroup); // rmdir: a cgroup with no processes goes, control files and all
        _cgroup = null;
    }

    [Test]
    public async Task Out_of_pids_the_supervisor_keeps_its_clients_chatting_tells_new_ones_it_is_busy_and_recovers_when_pids_return()
    {
        await using var server = await ServerProcess.StartAfterShellAsync($"echo $$ > {_cgroup}/cgroup.procs",
            "--max-clients", "100", "--max-clients-per-ip", "100", "--attach-timeout", "5");
        var clients = new List<ChatClient>();
        try
        {
            var (alice, _) = await server.JoinAsync("alice");
            var (bob, _) = await server.JoinAsync("bob");
            clients.AddRange([alice, bob]);
            await alice.SendAsync("warming up");
            await bob.ReadUntilAsync(l => l.EndsWith("> warming up", StringComparison.Ordinal), "alice's first line");
            for (var i = clients.Count; i < WorkersBeforeTheCap; i++)
            {
                clients.Add((await server.JoinAsync($"filler{i}")).Client);
            }

            // Out of pids: a limit below what the cgroup holds, so nothing in it can start a process or a thread,
            // whatever exits meanwhile. (pids.current + 1 was flaky: a runtime thread that ended after the count left
            // room for a whole worker, which then served the "late" client.)
            File.WriteAllText(Path.Combine(_cgroup!, "pids.max"), "1");

            for (var i = 0; i < 3; i++)
            {
                await using var late = await server.ConnectAsync($"late{i}");
                var first = await late.ReadLineAsync(TimeSpan.FromSeconds(20));
                Assert.That(first, Is.EqualTo("* server busy, try again"), $"new client {i} while out of pids. Log:\n{server.Log}");
            }

            Assert.That(server.HasExited, Is.False, $"the supervisor died when the pids ran out. Log:\n{server.Log}");
            await server.WaitForLogAsync(@"launcher/spawn-backoff: (could not start a worker: the system is out of processes or memory|worker \d+ .* before it attached)");

            await alice.SendAsync("still here without pids");
            await bob.ReadUntilAsync(l => l.EndsWith("> still here without pids", StringComparison.Ordinal), "alice's line while out of pids");

            File.WriteAllText(Path.Combine(_cgroup!, "pids.max"), "max");
            var carol = await JoinOnceNotBusyAsync(server);
            clients.Add(carol);
            await carol.SendAsync("pids are back");
            await alice.ReadUntilAsync(l => l.EndsWith("> pids are back", StringComparison.Ordinal), "carol's line once pids returned");
            await server.WaitForLogAsync(@"supervisor/spawn-recovered: starting workers works again");
            Assert.That(server.HasExited, Is.False, "the supervisor is still up");
        }
        finally
        {
            File.WriteAllText(Path.Combine(_cgroup!, "pids.max"), "max");
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }

        Assert.That(await server.StopAsync(), Is.EqualTo(0), $"an orderly shutdown once pids returned. Log:\n{server.Log}");
    }

    [TestCase(Native.SIGTERM, "SIGTERM")]
    [TestCase(Native.SIGINT, "SIGINT")]
    public async Task Out_of_pids_a_shutdown_signal_still_stops_the_supervisor_in_order(int signal, string name)
    {
        // .NET's PosixSignalRegistration would need a new thread for the signal, and abort ("Out of memory.") without
        // one; the supervisor reads SIGTERM and SIGINT from a signalfd on a thread it made at start.
        await using var server = await ServerProcess.StartAfterShellAsync($"echo $$ > {_cgroup}/cgroup.procs",
            "--attach-timeout", "5");
        var (alice, _) = await server.JoinAsync("alice");
        var (bob, _) = await server.JoinAsync("bob");
        await using var a = alice;
        await using var b = bob;
        await alice.SendAsync("before the cap");
        await bob.ReadUntilAsync(l => l.EndsWith("> before the cap", StringComparison.Ordinal), "alice's first line");
        var workers = server.WorkerPids();

        // Below what the cgroup holds: no process or thread in it can start now, whatever exits meanwhile (an idle
        // JIT thread that ends frees a pid that the cgroup does not give back while pids.current is above pids.max).
        File.WriteAllText(Path.Combine(_cgroup!, "pids.max"), "1");
        await using (var late = await server.ConnectAsync("late"))
        {
            Assert.That(await late.ReadLineAsync(TimeSpan.FromSeconds(20)), Is.EqualTo("* server busy, try again"), $"a new client while out of pids. Log:\n{server.Log}");
        }

        var exitCode = await server.StopAsync(signal, TimeSpan.FromSeconds(30));

        Assert.That(exitCode, Is.EqualTo(0), $"an orderly stop by {name} exits 0, out of pids too. Log:\n{server.Log}");
        foreach (var client in new[] { alice, bob })
        {
            var rest = await client.DrainAsync(TimeSpan.FromSeconds(5));
            Assert.That(rest, Does.Contain("* server shutting down"), $"{client.Name}'s last lines. Log:\n{server.Log}");
            Assert.That(client.Closed, Is.True);
        }

        Assert.That(await ServerProcess.EventuallyAsync(() => !workers.Any(w => ProcFs.Exists(w) && ProcFs.Stat(w)?.State != 'Z')), Is.True,
            $"workers left after the stop: {string.Join(", ", workers.Where(ProcFs.Exists))}");
        Assert.That(await ServerProcess.EventuallyAsync(() => Members().Count == 0), Is.True, "nothing of the supervisor's is left in its cgroup");
        await server.WaitForLogAsync($"supervisor/shutdown-started: shutting down \\({name}\\)");
        await server.WaitForLogAsync("supervisor/shutdown-finished: shut down cleanly");
    }

    [Test]
    public async Task As_root_the_supervisor_raises_its_hard_limit_of_open_descriptors_to_what_max_clients_needs()
    {
        // .NET itself raises the soft limit to the hard one at start; what it cannot know is --max-clients: 1,000
        // clients need 3 descriptors each (a worker's pipe, two; a waiting connection, one), plus 256.
        Assume.That(HasCapability(CapSysResource), Is.True,
            "This root lacks CAP_SYS_RESOURCE (a container's usual cut), so no process here may raise its hard limit; the supervisor then warns instead.");
        await using var server = await ServerProcess.StartAfterShellAsync("ulimit -n 2000", "--max-clients", "1000");

        Assert.That(OpenFilesLimit(server.HostPid), Is.EqualTo((2256UL, 2256UL)), $"soft and hard limit of open descriptors. Log:\n{server.Log}");
        await server.WaitForLogAsync(@"supervisor/descriptors: open descriptors: raised from 2000 \(hard 2000\) to 2256 \(hard 2256\)");
    }

    [Test]
    public async Task Without_the_right_to_raise_it_the_supervisor_warns_that_its_descriptor_limit_is_below_what_max_clients_needs()
    {
        // As root without CAP_SYS_RESOURCE, or as anyone else: the hard limit stays, and the log says so at start.
        Assume.That(HasCapability(CapSysResource), Is.False, "this process may raise its hard limit; the previous test covers that case");
        await using var server = await ServerProcess.StartAfterShellAsync("ulimit -n 2000", "--max-clients", "1000");

        Assert.That(OpenFilesLimit(server.HostPid), Is.EqualTo((2000UL, 2000UL)));
        await server.WaitForLogAsync(@"WARN .*supervisor/descriptors: open descriptors: 2000 \(hard 2000\), less than the 2256 that --max-clients 1000 may need");
    }

    private const int CapSysResource = 24;

    // CapEff in /proc/self/status: the capabilities this process acts with, as a hexadecimal bit mask.
    private static bool HasCapability(int bit)
    {
        var line = File.ReadAllLines("/proc/self/status").Single(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        var mask = ulong.Parse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return ((mask >> bit) & 1) == 1;
    }

    // Reading "Max open files  1024  20000  files" from /proc/PID/limits.
    private static (ulong Soft, ulong Hard) OpenFilesLimit(int pid)
    {
        var line = File.ReadAllLines($"/proc/{pid}/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (ulong.Parse(fields[0], CultureInfo.InvariantCulture), ulong.Parse(fields[1], CultureInfo.InvariantCulture));
    }

    // After pids return, the back-off that the failures left (up to 5 s) may still be running: a client may be told
    // "busy" until it ends. Bounded: 40 tries, 20 s.
    private static async Task<ChatClient> JoinOnceNotBusyAsync(ServerProcess server)
    {
        for (var attempt = 0; attempt < 40; attempt++)
        {
            var client = await server.ConnectAsync("carol");
            var first = await client.ReadLineAsync(TimeSpan.FromSeconds(10));
            if (first is not null && first.StartsWith("* welcome", StringComparison.Ordinal))
            {
                await client.ReadUntilAsync(l => l.Contains("/help lists the commands", StringComparison.Ordinal), "the end of carol's greeting");
                return client;
            }

            await client.DisposeAsync();
            Assert.That(first, Is.EqualTo("* server busy, try again"), "while recovering, a client is either served or told the server is busy");
            await Task.Delay(500);
        }

        Assert.Fail($"no new client was served within 40 tries after pids returned. Log:\n{server.Log}");
        return null!;
    }

    private List<int> Members() =>
        File.ReadAllLines(Path.Combine(_cgroup!, "cgroup.procs"))
            .Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList();
}

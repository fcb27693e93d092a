using System.Globalization;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// How the Linux supervisor hears SIGTERM and SIGINT: blocked in every one of its threads from its first instruction
/// (it blocks them and runs itself again, same pid), read from a signalfd; and how its workers do not inherit that.
/// /proc is the witness: <c>SigBlk</c> of each thread in <c>/proc/PID/task/TID/status</c>.
/// </summary>
[LinuxOnly("signal masks and signalfd are Linux's; under Wine SIGINT arrives as a console Ctrl+C event")]
public sealed class ShutdownSignalTests
{
    private const ulong TermBit = 1UL << (Native.SIGTERM - 1);
    private const ulong IntBit = 1UL << (Native.SIGINT - 1);

    [Test]
    public async Task Every_thread_of_the_supervisor_blocks_SIGTERM_and_SIGINT_and_it_keeps_its_pid_and_name()
    {
        await using var server = await ServerProcess.StartAsync("--prespawn", "1");
        var (client, _) = await server.JoinAsync("alice");
        await using var _ = client;

        Assert.That(server.Pid, Is.EqualTo(server.HostPid), "the pid the supervisor gives is the one it was started with");
        Assert.That(File.ReadAllText($"/proc/{server.HostPid}/comm").Trim(), Is.EqualTo("chatfork"), "ps still names it chatfork");
        var threads = Threads(server.HostPid);
        Assert.That(threads, Has.Some.Matches<(int Tid, string Name, ulong Blocked)>(t => t.Name == "signal reader"), "the thread that reads the signalfd");
        Assert.That(threads.Where(t => (t.Blocked & (TermBit | IntBit)) != (TermBit | IntBit)).Select(t => t.Name), Is.Empty,
            "threads of the supervisor that do not block SIGTERM and SIGINT (a signal would go to one of them and make .NET start a thread)");
        Assert.That(File.ReadAllText($"/proc/{server.HostPid}/environ"), Does.Contain("CHATFORK_REEXEC_SIGNALS_BLOCKED="), "it ran itself again");
        await server.WaitForLogAsync(@"supervisor: shutdown signals: SIGTERM and SIGINT from a signalfd, read on the 'signal reader' thread; every thread blocks them \(re-exec'd with them blocked in [\d.]+ ms\)");

        // The runtime's diagnostics socket is named after the pid and the start time, which the re-exec keeps: the
        // second runtime must have bound its own (dotnet-counters and dotnet-trace connect there), and leave none behind.
        var diagnostics = $"dotnet-diagnostic-{server.HostPid}-";
        Assert.That(File.ReadLines("/proc/net/unix").Where(l => l.Contains(diagnostics, StringComparison.Ordinal)), Has.Exactly(1).Items,
            "the supervisor's runtime listens on its diagnostics socket");
        Assert.That(await server.StopAsync(), Is.EqualTo(0), server.Log);
        Assert.That(Directory.EnumerateFiles(Path.GetTempPath(), diagnostics + "*"), Is.Empty, "a diagnostics socket left in the temporary folder");
    }

    [Test]
    public async Task A_worker_does_not_inherit_the_supervisors_blocked_SIGTERM_and_SIGINT()
    {
        await using var server = await ServerProcess.StartAsync("--prespawn", "1");
        var (client, greeting) = await server.JoinAsync("alice");
        await using var _ = client;
        var worker = ProcessModelTests.WorkerPidFrom(greeting[0]);

        // The main thread: the one a process-directed signal then goes to, since the runtime's other threads were
        // born with the supervisor's mask.
        var main = Threads(worker).Single(t => t.Tid == worker);
        Assert.That(main.Blocked & (TermBit | IntBit), Is.Zero, $"worker {worker}'s main thread still blocks SIGTERM or SIGINT (SigBlk {main.Blocked:x16})");
        Assert.That(File.ReadAllText($"/proc/{worker}/environ"), Does.Not.Contain("CHATFORK_REEXEC_SIGNALS_BLOCKED="), "the re-exec's marker is not passed on");
        Assert.That(File.ReadAllText($"/proc/{server.HostPid}/task/{server.HostPid}/status"), Does.Contain("SigBlk:"));
    }

    [Test]
    public async Task A_SIGINT_the_parent_left_ignored_stays_ignored_and_SIGTERM_still_stops_it()
    {
        // A non-interactive shell starts a background job with SIGINT ignored; .NET leaves it so, and so must the
        // signalfd: a blocked signal is never discarded as ignored.
        await using var server = await ServerProcess.StartAfterShellAsync("trap '' INT");
        var (alice, _) = await server.JoinAsync("alice");
        var (bob, _) = await server.JoinAsync("bob");
        await using var a = alice;
        await using var b = bob;

        Native.Kill(server.HostPid, Native.SIGINT);
        await alice.SendAsync("after SIGINT");
        await bob.ReadUntilAsync(l => l.EndsWith("> after SIGINT", StringComparison.Ordinal), "alice's line after the SIGINT");
        Assert.That(server.HasExited, Is.False, "an ignored SIGINT stopped the supervisor");
        Assert.That(server.Log, Does.Not.Contain("shutting down (SIGINT)"));

        Assert.That(await server.StopAsync(Native.SIGTERM), Is.EqualTo(0), server.Log);
        Assert.That(await alice.DrainAsync(TimeSpan.FromSeconds(5)), Does.Contain("* server shutting down"));
    }

    private static List<(int Tid, string Name, ulong Blocked)> Threads(int pid)
    {
        var result = new List<(int, string, ulong)>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var status = File.ReadAllLines(Path.Combine(task, "status"));
                var blocked = status.Single(l => l.StartsWith("SigBlk:", StringComparison.Ordinal))["SigBlk:".Length..].Trim();
                result.Add((int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(task, "comm")).Trim(),
                    ulong.Parse(blocked, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }
            catch (IOException)
            {
                // The thread ended while it was read.
            }
        }

        return result;
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// Supervisors on two or three hosts (network namespaces, see ClusterLab) sharing one room through a real Redis
/// (--cluster). Every test starts its own Redis and its own supervisors, and removes them, and the namespaces, after.
/// </summary>
[Category("Cluster")]
[LinuxOnly("test hosts are Linux network namespaces (ip netns) with the Linux build; the Windows build under Wine is not run in them")]
public sealed partial class ClusterTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Lines_from_three_hosts_reach_every_client_on_every_host_in_one_order()
    {
        const int Hosts = 3, PerHost = 5, Lines = 200;
        await using var lab = await ClusterLab.StartAsync(Hosts);
        var clients = new List<ChatClient>();
        var names = new List<string>();
        try
        {
            for (var h = 0; h < Hosts; h++)
            {
                for (var c = 0; c < PerHost; c++)
                {
                    var (client, _) = await lab.Hosts[h].JoinAsync($"h{h}c{c}");
                    clients.Add(client);
                    names.Add($"h{h}c{c}");
                }
            }

            // Everyone is in the room on every host once the last join has been announced everywhere.
            var last = $"* {Guest(clients[^1])} joined (";
            foreach (var client in clients.Take(clients.Count - 1))
            {
                await client.ReadUntilAsync(l => l.StartsWith(last, StringComparison.Ordinal), "the last join", Long);
            }

            await Task.WhenAll(clients.Select((client, i) => Task.Run(async () =>
            {
                for (var n = 0; n < Lines; n++)
                {
                    await client.SendAsync($"{names[i]} {n}");
                }
            })));

            var seen = await Task.WhenAll(clients.Select(client => ReadChatAsync(client, (clients.Count - 1) * Lines)));
            for (var i = 0; i < clients.Count; i++)
            {
                Assert.That(seen[i], Has.Count.EqualTo((clients.Count - 1) * Lines), $"{names[i]} read every other client's lines once");
                foreach (var sender in names.Where(s => s != names[i]))
                {
                    var numbers = seen[i].Where(l => l.StartsWith(sender + " ", StringComparison.Ordinal)).Select(l => int.Parse(l[(sender.Length + 1)..], CultureInfo.InvariantCulture)).ToList();
                    Assert.That(numbers, Is.EqualTo(Enumerable.Range(0, Lines)), $"{names[i]} read {sender}'s lines in the order sent");
                }
            }

            // One order: any two clients agree on the order of every line both of them read (all but their own).
            for (var i = 0; i < clients.Count; i++)
            {
                for (var j = i + 1; j < clients.Count; j++)
                {
                    var a = seen[i].Where(l => !l.StartsWith(names[j] + " ", StringComparison.Ordinal)).ToList();
                    var b = seen[j].Where(l => !l.StartsWith(names[i] + " ", StringComparison.Ordinal)).ToList();
                    Assert.That(a, Is.EqualTo(b), $"{names[i]} (host {names[i][1]}) and {names[j]} (host {names[j][1]}) read the same lines in the same order");
                }
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task A_nick_held_on_one_host_cannot_be_taken_on_another_and_a_race_for_one_has_one_winner()
    {
        await using var lab = await ClusterLab.StartAsync(3);
        var (alice, _) = await lab.Hosts[0].JoinAsync("alice");
        var (bob, _) = await lab.Hosts[1].JoinAsync("bob");
        var (carol, _) = await lab.Hosts[2].JoinAsync("carol");
        await using var a = alice;
        await using var b = bob;
        await using var c = carol;

        await alice.SendAsync("/nick alice");
        await alice.ReadUntilAsync(l => l == "* " + Guest(alice) + " is now known as alice" || l.EndsWith(" is now known as alice", StringComparison.Ordinal), "alice's rename");
        await bob.ReadUntilAsync(l => l.EndsWith(" is now known as alice", StringComparison.Ordinal), "alice's rename on host-b");
        await bob.SendAsync("/nick ALICE");
        await bob.ReadUntilAsync(l => l == "* the nick ALICE is taken; choose another", "the refusal");

        // bob on host-b and carol on host-c ask for the same nick at once: Redis grants it to exactly one.
        await Task.WhenAll(bob.SendAsync("/nick zed"), carol.SendAsync("/nick zed"));
        var bobSaw = await bob.ReadUntilAsync(l => l.EndsWith(" is now known as zed", StringComparison.Ordinal), "the race's winner", Long);
        var carolSaw = await carol.ReadUntilAsync(l => l.EndsWith(" is now known as zed", StringComparison.Ordinal), "the race's winner", Long);
        var bobLost = (await bob.DrainAsync(TimeSpan.FromSeconds(1))).Concat(bobSaw).Any(l => l == "* the nick zed is taken; choose another");
        var carolLost = (await carol.DrainAsync(TimeSpan.FromSeconds(1))).Concat(carolSaw).Any(l => l == "* the nick zed is taken; choose another");
        Assert.That(new[] { bobLost, carolLost }.Count(x => x), Is.EqualTo(1), "exactly one of the two was refused");
        Assert.That(bobSaw.Last(), Is.EqualTo(carolSaw.Last()), "both hosts announce the same winner");
    }

    [Test]
    public async Task Who_and_ps_list_every_hosts_members_and_msg_and_joins_and_leaves_cross_hosts()
    {
        await using var lab = await ClusterLab.StartAsync(2);
        var (alice, _) = await lab.Hosts[0].JoinAsync("alice");
        await using var a = alice;
        await alice.SendAsync("/nick alice");
        await alice.ReadUntilAsync(l => l.EndsWith("is now known as alice", StringComparison.Ordinal), "the rename");
        var (bob, greeting) = await lab.Hosts[1].JoinAsync("bob");
        Assert.That(greeting, Has.Some.Match(@"^\* here now: alice \(1 other\)"), "a join on host-b names who is on host-a");
        await alice.ReadUntilAsync(l => Regex.IsMatch(l, @"^\* guest-\S+ joined \(worker \d+ on host-b\)$"), "bob's join, on host-a");
        await bob.SendAsync("/nick bob");
        await alice.ReadUntilAsync(l => l.EndsWith("is now known as bob", StringComparison.Ordinal), "bob's rename");

        await alice.SendAsync("/msg bob psst");
        Assert.That((await bob.ReadUntilAsync(l => l.StartsWith("*alice*", StringComparison.Ordinal), "the private line")).Last(), Is.EqualTo("*alice* psst"));
        await alice.ReadUntilAsync(l => l == "-> *bob* psst", "the echo of the private line");
        await alice.SendAsync("/msg nobody hello");
        await alice.ReadUntilAsync(l => l == "* no such nick: nobody", "the unknown nick");

        var bobPid = WorkerPid(bob);
        await alice.SendAsync("/who");
        var who = await alice.ReadUntilAsync(l => l.Contains(" on host-b ", StringComparison.Ordinal), "bob in /who");
        Assert.That(who, Has.Some.Match(@"^\* 2 here, on 2 servers:$"));
        Assert.That(who, Has.Some.Match($@"^\*   bob +worker {bobPid} on host-b +since \S+  from 127\.0\.0\.1:\d+$"));
        await alice.SendAsync("/ps");
        var ps = await alice.ReadUntilAsync(l => l.StartsWith("* host-b ", StringComparison.Ordinal), "host-b's row in /ps");
        Assert.That(ps.Last(), Does.Match($@"^\* host-b +worker {bobPid} +bob "));

        await bob.SendAsync("/quit bye");
        await alice.ReadUntilAsync(l => Regex.IsMatch(l, @"^\* bob left \(quit: bye"), "bob's leave, on host-a");
        await bob.DisposeAsync();
    }

    [Test]
    public async Task A_supervisor_killed_with_SIGKILL_is_announced_once_on_every_other_host()
    {
        await using var lab = await ClusterLab.StartAsync(3);
        var (alice, _) = await lab.Hosts[0].JoinAsync("alice");
        var (bob, _) = await lab.Hosts[1].JoinAsync("bob");
        var (carol, _) = await lab.Hosts[2].JoinAsync("carol");
        await using var a = alice;
        await using var b = bob;
        await using var c = carol;
        await bob.SendAsync("/nick bob");
        await alice.ReadUntilAsync(l => l.EndsWith("is now known as bob", StringComparison.Ordinal), "bob's rename");
        await carol.ReadUntilAsync(l => l.EndsWith("is now known as bob", StringComparison.Ordinal), "bob's rename");

        lab.Hosts[1].Children();
        Native.Kill(lab.Hosts[1].Pid, Native.SIGKILL);
        await lab.Hosts[1].WaitForExitAsync(TimeSpan.FromSeconds(10));

        foreach (var survivor in new[] { alice, carol })
        {
            await survivor.ReadUntilAsync(l => l == "* bob left (server host-b lost)", "bob announced gone", TimeSpan.FromSeconds(20));
            var after = await survivor.DrainAsync(TimeSpan.FromSeconds(3));
            Assert.That(after, Has.None.Contains("bob left"), $"{survivor.Name} is told once");
        }

        Assert.That(await bob.WaitForEofAsync(TimeSpan.FromSeconds(10)), Is.True, "bob's connection died with its worker");
    }

    [Test]
    public async Task Redis_restarted_with_appendonly_in_the_middle_of_a_burst_loses_and_duplicates_nothing()
    {
        const int Lines = 300;
        await using var lab = await ClusterLab.StartAsync(2, appendOnly: true);
        var (sa, _) = await lab.Hosts[0].JoinAsync("sender-a");
        var (sb, _) = await lab.Hosts[1].JoinAsync("sender-b");
        var (ra, _) = await lab.Hosts[0].JoinAsync("reader-a");
        var (rb, _) = await lab.Hosts[1].JoinAsync("reader-b");
        await using var d1 = sa;
        await using var d2 = sb;
        await using var d3 = ra;
        await using var d4 = rb;
        await sa.ReadUntilAsync(l => l.StartsWith($"* {Guest(rb)} joined (", StringComparison.Ordinal), "the last join");

        var restarted = new TaskCompletionSource();
        var burst = Task.WhenAll(new[] { ("a", sa), ("b", sb) }.Select(s => Task.Run(async () =>
        {
            for (var n = 0; n < Lines; n++)
            {
                await s.Item2.SendAsync($"{s.Item1} {n}");
                if (n == Lines / 3 && s.Item1 == "a")
                {
                    await lab.Redis.StopAsync(Native.SIGTERM);
                    await lab.Redis.StartAgainAsync();
                    restarted.TrySetResult();
                }

                await Task.Delay(2);
            }
        })));
        await burst;
        Assert.That(restarted.Task.IsCompleted, Is.True);

        var a = await ReadChatAsync(ra, 2 * Lines);
        var b = await ReadChatAsync(rb, 2 * Lines);
        foreach (var (reader, seen) in new[] { ("reader-a", a), ("reader-b", b) })
        {
            foreach (var sender in new[] { "a", "b" })
            {
                var numbers = seen.Where(l => l.StartsWith(sender + " ", StringComparison.Ordinal)).Select(l => int.Parse(l[2..], CultureInfo.InvariantCulture));
                Assert.That(numbers, Is.EqualTo(Enumerable.Range(0, Lines)), $"{reader} read every line of sender {sender} once, in order");
            }
        }

        Assert.That(a, Is.EqualTo(b), "both hosts delivered the same order");
        Assert.That(ra.History() + rb.History(), Does.Not.Contain("lines may be missing"), "no gap: Redis kept its stream");
    }

    [Test]
    public async Task Redis_out_of_reach_is_told_in_one_line_and_the_lines_held_meanwhile_arrive_in_order()
    {
        await using var lab = await ClusterLab.StartAsync(2, appendOnly: true, "--cluster-heartbeat-ttl", "30");
        var (alice, _) = await lab.Hosts[0].JoinAsync("alice");
        var (bob, _) = await lab.Hosts[1].JoinAsync("bob");
        await using var a = alice;
        await using var b = bob;
        await alice.ReadUntilAsync(l => l.Contains("on host-b)", StringComparison.Ordinal), "bob's join");

        if (lab.Namespaces)
        {
            // A partition: host-a's only link to Redis goes down; host-b keeps its own.
            NetworkNamespace.Ip("-n", lab.Hosts[0].Namespace!, "link", "set", lab.Hosts[0].Namespace!, "down");
        }
        else
        {
            await lab.Redis.StopAsync(Native.SIGTERM);
        }

        try
        {
            await alice.SendAsync("first while away");
            var told = await alice.ReadUntilAsync(l => l.StartsWith("* this server has lost its link to the cluster's Redis", StringComparison.Ordinal), "the notice", Long);
            Assert.That(told.Last(), Does.Contain("wait (up to 10000)"), "the notice states the bound");
            for (var n = 0; n < 20; n++)
            {
                await alice.SendAsync($"held {n}");
            }

            Assert.That((await bob.DrainAsync(TimeSpan.FromSeconds(1))).Where(l => l.StartsWith('<')), Is.Empty, "nothing from host-a got through meanwhile");
        }
        finally
        {
            if (lab.Namespaces)
            {
                NetworkNamespace.Ip("-n", lab.Hosts[0].Namespace!, "link", "set", lab.Hosts[0].Namespace!, "up");
            }
            else
            {
                await lab.Redis.StartAgainAsync();
            }
        }

        var lines = await ReadChatAsync(bob, 21);
        Assert.That(lines, Is.EqualTo(new[] { "first while away" }.Concat(Enumerable.Range(0, 20).Select(n => $"held {n}"))), "held lines arrive once, in order");
        await alice.ReadUntilAsync(l => l == "* the cluster's Redis is back: held lines are going out now", "the all-clear", Long);
        Assert.That(Regex.Count(alice.History(), "lost its link"), Is.EqualTo(1), "told once, not once per line");
    }

    [Test]
    public async Task A_Redis_that_restarted_without_its_data_is_announced_as_a_gap_and_the_room_goes_on()
    {
        await using var lab = await ClusterLab.StartAsync(2, appendOnly: false);
        var (alice, _) = await lab.Hosts[0].JoinAsync("alice");
        var (bob, _) = await lab.Hosts[1].JoinAsync("bob");
        await using var a = alice;
        await using var b = bob;
        await alice.ReadUntilAsync(l => l.Contains("on host-b)", StringComparison.Ordinal), "bob's join");
        await alice.SendAsync("before");
        await bob.ReadUntilAsync(l => l.EndsWith("> before", StringComparison.Ordinal), "the first line");

        await lab.Redis.StopAsync(Native.SIGKILL);
        await lab.Redis.StartAgainAsync();

        foreach (var client in new[] { alice, bob })
        {
            await client.ReadUntilAsync(l => l.StartsWith("* lines may be missing here", StringComparison.Ordinal), "the gap notice", Long);
        }

        // Both hosts claim their members again (each on its next heartbeat), and the room works as before.
        await bob.ReadUntilAsync(l => l.Contains(" is back (", StringComparison.Ordinal), "alice claimed again", Long);
        await alice.ReadUntilAsync(l => l.Contains(" is back (", StringComparison.Ordinal), "bob claimed again", Long);
        await alice.SendAsync("after");
        await bob.ReadUntilAsync(l => l.EndsWith("> after", StringComparison.Ordinal), "a line after the gap", Long);
        await bob.SendAsync("/who");
        await bob.ReadUntilAsync(l => l == "* 2 here, on 2 servers:", "both members known again");
    }

    [Test]
    public async Task A_host_that_fell_behind_a_trimmed_stream_tells_its_members_of_the_gap()
    {
        await using var lab = await ClusterLab.StartAsync(2, appendOnly: false, "--cluster-stream-max", "100", "--cluster-heartbeat-ttl", "30");
        var (alice, _) = await lab.Hosts[0].JoinAsync("alice");
        var (bob, _) = await lab.Hosts[1].JoinAsync("bob");
        await using var a = alice;
        await using var b = bob;
        await alice.ReadUntilAsync(l => l.Contains("on host-b)", StringComparison.Ordinal), "bob's join");

        // host-b stops reading (SIGSTOP) while host-a adds more than the stream keeps.
        Native.Kill(lab.Hosts[1].Pid, 19 /* SIGSTOP */);
        try
        {
            for (var n = 0; n < 150; n++)
            {
                await alice.SendAsync($"line {n}");
                await Task.Delay(3); // host-a keeps up: only host-b falls behind
            }

            await ServerProcess.EventuallyAsync(() => lab.Redis.Cli("XLEN", "chatfork:lobby:stream") == "100", TimeSpan.FromSeconds(20));
            await ServerProcess.EventuallyAsync(() => lab.Redis.Cli("--raw", "XREVRANGE", "chatfork:lobby:stream", "+", "-", "COUNT", "1").Contains("line 149", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        }
        finally
        {
            Native.Kill(lab.Hosts[1].Pid, 18 /* SIGCONT */);
        }

        var read = await bob.ReadUntilAsync(l => l.EndsWith("> line 149", StringComparison.Ordinal), "the last line", Long);
        var gap = read.FindIndex(l => l.StartsWith("* lines may be missing here", StringComparison.Ordinal));
        Assert.That(gap, Is.GreaterThanOrEqualTo(0), "bob is told lines are missing");
        Assert.That(read.Skip(gap + 1).Count(l => l.Contains("> line ", StringComparison.Ordinal)), Is.EqualTo(100), "and then reads what the stream still holds");
        Assert.That(alice.History(), Does.Not.Contain("lines may be missing"), "host-a, which kept up, is not told");
    }

    private static string Guest(ChatClient client) => client.History().Split('\n').Select(l => YouAre().Match(l)).First(m => m.Success).Groups[1].Value;

    private static int WorkerPid(ChatClient client) =>
        int.Parse(WorkerOf().Match(client.History()).Groups[1].Value, CultureInfo.InvariantCulture);

    // The text of every chat line ("<nick> text") the client reads, until it has read `count` of them.
    private static async Task<List<string>> ReadChatAsync(ChatClient client, int count)
    {
        var lines = new List<string>();
        var deadline = DateTime.UtcNow + Long;
        while (lines.Count < count && DateTime.UtcNow < deadline)
        {
            string? line;
            try
            {
                line = await client.ReadLineAsync(deadline - DateTime.UtcNow);
            }
            catch (TimeoutException)
            {
                break;
            }

            if (line is null)
            {
                break;
            }

            if (ChatLine().Match(line) is { Success: true } m)
            {
                lines.Add(m.Groups[1].Value);
            }
        }

        return lines;
    }

    [GeneratedRegex(@"^<[^>]+> (.*)$")]
    private static partial Regex ChatLine();

    [GeneratedRegex(@"\* you are (\S+);")]
    private static partial Regex YouAre();

    [GeneratedRegex(@"served by worker process (\d+)")]
    private static partial Regex WorkerOf();
}

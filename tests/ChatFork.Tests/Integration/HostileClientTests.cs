using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>Nothing one client sends can hurt another client or the server; every limit is named and enforced.</summary>
public sealed class HostileClientTests
{
    [Test]
    public async Task A_flood_of_300_connections_never_starts_more_workers_than_max_clients_and_the_admitted_keep_chatting()
    {
        // 50 JIT-compiled workers starting at once on a busy 2-core machine can take long; give them time. Under Wine
        // much longer: there a worker's start costs several times what it costs on Linux (a minute for all 50 here).
        var wait = TimeSpan.FromSeconds(TestTarget.IsWine ? 150 : 60);
        var seconds = ((int)wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var server = await ServerProcess.StartAsync("--max-clients", "50", "--max-clients-per-ip", "1000", "--prespawn", "4", "--attach-timeout", seconds, "--queue-timeout", seconds);
        var most = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                most = Math.Max(most, server.WorkerCount());
                await Task.Delay(TestTarget.IsWine ? 50 : 5); // under Wine each sample reads every process's command line
            }
        });

        var outcomes = new ConcurrentBag<(ChatClient Client, string First)>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 300), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            var client = await server.ConnectAsync($"flood{i}");
            outcomes.Add((client, await client.ReadLineAsync(TestTarget.IsWine ? wait : TimeSpan.FromSeconds(30)) ?? "(EOF)"));
        });

        var admitted = outcomes.Where(o => o.First.StartsWith("* welcome", StringComparison.Ordinal)).Select(o => o.Client).ToList();
        var refused = outcomes.Where(o => o.First == "* server full, try again later").Select(o => o.Client).ToList();
        try
        {
            var tally = string.Join("; ", outcomes.GroupBy(o => o.First).Select(g => $"{g.Count()} x '{g.Key}'"));
            Assert.That(admitted, Has.Count.EqualTo(50), tally + "\n" + server.Log);
            Assert.That(refused, Has.Count.EqualTo(250));
            foreach (var client in refused)
            {
                Assert.That(await client.WaitForEofAsync(), Is.True, "a refused connection is closed");
            }

            foreach (var client in admitted)
            {
                await client.ReadUntilAsync(l => l.Contains("/help lists the commands", StringComparison.Ordinal), "the greeting");
            }

            await admitted[0].SendAsync("still chatting");
            foreach (var client in admitted.Skip(1))
            {
                await client.ReadUntilAsync(l => l.EndsWith("> still chatting", StringComparison.Ordinal), "the line after the flood");
            }

            await sampling.CancelAsync();
            await sampler;
            Assert.That(most, Is.LessThanOrEqualTo(50), "worker processes at the busiest moment");
            var warnings = server.Log.Split('\n').Count(l => l.Contains("WARN", StringComparison.Ordinal) && l.Contains("server full", StringComparison.Ordinal));
            Assert.That(warnings, Is.InRange(1, 10), "refusals are logged once per burst, not once each");
        }
        finally
        {
            await sampling.CancelAsync();
            foreach (var (client, _) in outcomes)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task Max_clients_per_ip_limits_one_address_and_not_another()
    {
        await using var server = await ServerProcess.StartAsync("--max-clients-per-ip", "2");
        var (first, _) = await server.JoinAsync("first");
        var (second, _) = await server.JoinAsync("second");
        await using var a = first;
        await using var b = second;

        await using (var third = await server.ConnectAsync("third"))
        {
            Assert.That(await third.ReadLineAsync(), Is.EqualTo("* too many connections from your address"));
            Assert.That(await third.WaitForEofAsync(), Is.True);
        }

        // Same server, another source address on the loopback network: its own budget.
        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        other.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        await other.ConnectAsync(server.EndPoint);
        var buffer = new byte[256];
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var n = await other.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
        Assert.That(Encoding.UTF8.GetString(buffer, 0, n), Does.StartWith("* welcome"));
    }

    [Test]
    public async Task A_10_MB_line_without_a_newline_gets_a_clear_error_and_a_disconnect_and_reaches_nobody()
    {
        await using var server = await ServerProcess.StartAsync("--max-line", "4096");
        var (flooder, _) = await server.JoinAsync("flooder");
        var (other, _) = await server.JoinAsync("other");
        await using var f = flooder;
        await using var o = other;

        var tenMegabytes = Encoding.ASCII.GetBytes(new string('x', 10 * 1024 * 1024));
        var sending = Task.Run(async () =>
        {
            try
            {
                await flooder.SendRawAsync(tenMegabytes);
            }
            catch (SocketException)
            {
                // The server hangs up part way: expected.
            }
        });

        var lines = await flooder.ReadUntilAsync(l => l.StartsWith("* line too long", StringComparison.Ordinal), "the error");
        Assert.That(lines.Last(), Is.EqualTo("* line too long (the limit is 4096 bytes); disconnecting"));
        Assert.That(await flooder.WaitForEofAsync(), Is.True);
        await sending.WaitAsync(TimeSpan.FromSeconds(30));

        var leave = (await other.ReadUntilAsync(l => l.Contains(" left (", StringComparison.Ordinal), "the leave")).Last();
        Assert.That(leave, Does.Match(@"left \(line too long; worker \d+ exited with code 0\)$"));
        Assert.That(other.History(), Does.Not.Contain("xxxx"));
        await server.WaitForLogAsync("sent a line over 4096 bytes");
    }

    [Test]
    public async Task Invalid_utf8_terminal_escapes_and_nul_bytes_are_relayed_sanitized()
    {
        await using var server = await ServerProcess.StartAsync();
        var (sender, _) = await server.JoinAsync("sender");
        var (receiver, _) = await server.JoinAsync("receiver");
        await using var s = sender;
        await using var r = receiver;
        await sender.SendAsync("/nick s");
        await receiver.ReadUntilAsync(l => l.EndsWith("now known as s", StringComparison.Ordinal), "the nick");

        byte[][] lines =
        [
            [.. "bad "u8, 0xff, 0xfe, .. " utf8\n"u8],
            [.. "\u001b[2J\u001b[Hclear screen\n"u8],
            [.. "\u001b]0;pwned\u0007retitled\n"u8],
            [.. "nul"u8, 0, .. "byte\r\n"u8],
            [.. "\u009b31mc1 csi\n"u8],
        ];
        foreach (var line in lines)
        {
            await sender.SendRawAsync(line);
        }

        await sender.SendAsync("end");
        var received = (await receiver.ReadUntilAsync(l => l == "<s> end", "the last line")).Where(l => l.StartsWith("<s>", StringComparison.Ordinal)).ToList();
        Assert.That(received, Is.EqualTo(new[]
        {
            "<s> bad \uFFFD\uFFFD utf8",
            "<s> clear screen",
            "<s> retitled",
            "<s> nulbyte",
            "<s> c1 csi",
            "<s> end",
        }));
        Assert.That(receiver.History(), Does.Not.Contain("\u001b").And.Not.Contain("\0"));
    }

    [Test]
    public async Task A_line_of_invalid_bytes_within_the_limit_is_relayed_repaired_even_though_it_grows_threefold()
    {
        await using var server = await ServerProcess.StartAsync("--max-line", "4096");
        var (sender, _) = await server.JoinAsync("sender");
        var (receiver, _) = await server.JoinAsync("receiver");
        await using var s = sender;
        await using var r = receiver;

        var line = new byte[4000];
        Array.Fill(line, (byte)0xff);
        await sender.SendRawAsync(line.Append((byte)'\n').ToArray());
        var received = (await receiver.ReadUntilAsync(l => l.Contains('\uFFFD', StringComparison.Ordinal), "the repaired line")).Last();
        Assert.That(received.Count(c => c == '\uFFFD'), Is.EqualTo(4000));
        await sender.SendAsync("still connected");
        await receiver.ReadUntilAsync(l => l.EndsWith("> still connected", StringComparison.Ordinal), "the next line");
    }

    [Test]
    public async Task A_client_that_never_reads_is_cut_off_alone_while_the_others_get_every_line_in_order()
    {
        await using var server = await ServerProcess.StartAsync("--send-queue", "131072", "--line-rate", "0");
        var (sender, _) = await server.JoinAsync("sender");
        var (reader, _) = await server.JoinAsync("reader");
        await using var s = sender;
        await using var r = reader;
        await sender.SendAsync("/nick sender");
        await reader.ReadUntilAsync(l => l.EndsWith("now known as sender", StringComparison.Ordinal), "the nick");

        // The slow client joins and then never reads; a small receive buffer makes its window close sooner.
        using var slow = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await slow.ConnectAsync(server.EndPoint);
        await reader.ReadUntilAsync(l => l.Contains(" joined (", StringComparison.Ordinal), "the slow client's join");
        var supervisorBefore = ProcFs.PssKiB(server.HostPid) ?? 0;

        const int count = 10_000;
        var padding = new string('.', 80);
        // About 1 MB in bursts of 16 KB: far more than the slow client's queue and kernel buffers can hold, and
        // paced a little so that a reader that does read is not mistaken for a slow one on a busy 2-core machine.
        var sending = Task.Run(async () =>
        {
            var batch = new StringBuilder();
            for (var i = 0; i < count; i++)
            {
                batch.Append(CultureInfo($"line {i} {padding}\n"));
                if (batch.Length > 16 * 1024 || i == count - 1)
                {
                    await sender.SendRawAsync(Encoding.ASCII.GetBytes(batch.ToString()));
                    batch.Clear();
                    await Task.Delay(2);
                }
            }
        });

        var expected = 0;
        var leave = (string?)null;
        var deadline = Stopwatch.StartNew();
        while (expected < count && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            var line = await reader.ReadLineAsync(TimeSpan.FromSeconds(20)) ?? throw new AssertionException("the reader was disconnected");
            if (line.StartsWith("<sender> line ", StringComparison.Ordinal))
            {
                Assert.That(line, Is.EqualTo($"<sender> line {expected} {padding}"), "lines arrive complete and in order");
                expected++;
            }
            else if (line.Contains(" left (", StringComparison.Ordinal))
            {
                leave = line;
            }
        }

        await sending;
        Assert.That(expected, Is.EqualTo(count), "the reader got every line");
        leave ??= (await reader.ReadUntilAsync(l => l.Contains(" left (", StringComparison.Ordinal), "the slow client's leave")).Last();
        Assert.That(leave, Does.Match(@"left \(too slow to read, disconnected; worker \d+ exited with code 0\)$"));
        await server.WaitForLogAsync(@"client is not reading: \d+ bytes queued, the limit is 131072 \(--send-queue\)");

        var supervisorAfter = ProcFs.PssKiB(server.HostPid) ?? 0;
        TestContext.Out.WriteLine($"supervisor Pss {supervisorBefore} KiB before, {supervisorAfter} KiB after {count} lines");
        Assert.That(supervisorAfter - supervisorBefore, Is.LessThan(48 * 1024), "the supervisor's memory stays bounded");
    }

    [Test]
    public async Task A_flooding_client_does_not_stop_the_others_from_talking()
    {
        await using var server = await ServerProcess.StartAsync();
        var (flooder, _) = await server.JoinAsync("flooder");
        var (alice, _) = await server.JoinAsync("alice");
        var (bob, _) = await server.JoinAsync("bob");
        await using var f = flooder;
        await using var a = alice;
        await using var b = bob;

        var flood = Task.Run(async () =>
        {
            var block = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("flood flood flood flood\n", 1000)));
            for (var i = 0; i < 20; i++)
            {
                await flooder.SendRawAsync(block);
            }
        });

        await alice.SendAsync("can you hear me");
        await bob.ReadUntilAsync(l => l.EndsWith("> can you hear me", StringComparison.Ordinal), "alice's line amid the flood", TimeSpan.FromSeconds(30));
        await flood.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Test]
    public async Task An_idle_client_is_told_and_disconnected_after_the_idle_timeout()
    {
        await using var server = await ServerProcess.StartAsync("--idle-timeout", "1");
        var (idle, _) = await server.JoinAsync("idle");
        await using var i = idle;
        var lines = await idle.ReadUntilAsync(l => l.StartsWith("* idle", StringComparison.Ordinal), "the idle notice", TimeSpan.FromSeconds(10));
        Assert.That(lines.Last(), Is.EqualTo("* idle for 1 s; disconnecting"));
        Assert.That(await idle.WaitForEofAsync(), Is.True);
    }

    [Test]
    public async Task Every_limit_is_a_named_option_with_its_default_in_help()
    {
        var info = TestTarget.StartInfo(ServerProcess.SupervisorPath, ["--help"]);
        using var process = Process.Start(info)!;
        var help = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero);
        foreach (var option in new[] { "--max-clients ", "--max-clients-per-ip", "--max-line", "--send-queue", "--worker-queue", "--idle-timeout", "--attach-timeout", "--queue-timeout", "--shutdown-timeout", "--prespawn", "--fanout", "--ring-size" })
        {
            Assert.That(help, Does.Contain(option), option);
        }

        Assert.That(help, Does.Contain("(Default: 256)"), "defaults are shown");
    }

    private static string CultureInfo(FormattableString text) => FormattableString.Invariant(text);
}

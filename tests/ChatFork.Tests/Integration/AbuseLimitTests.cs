using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// Issue 10: one client's abuse costs nobody else anything. Flooding is slowed by the per-client line rate and then
/// cut off; a slowloris client is cut off by the line timeout; /me cannot pass for a server line.
/// </summary>
public sealed partial class AbuseLimitTests
{
    [Test]
    public async Task A_client_sending_lines_at_full_speed_is_slowed_to_the_line_rate_then_told_excess_flood_and_disconnected()
    {
        const int rate = 10;
        const int burst = 20;
        await using var server = await ServerProcess.StartAsync("--line-rate", "10", "--line-burst", "20", "--flood-timeout", "3");
        var (flooder, _) = await server.JoinAsync("flooder");
        var (reader, _) = await server.JoinAsync("reader");
        await using var f = flooder;
        await using var r = reader;
        await flooder.SendAsync("/nick flooder");
        await reader.ReadUntilAsync(l => l.EndsWith("is now known as flooder", StringComparison.Ordinal), "the nick");

        // Full speed, bounded: 15 s at most, and it stops when the server closes the connection.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        long sent = 0;
        var flood = Task.Run(async () =>
        {
            var i = 0;
            try
            {
                while (!stop.IsCancellationRequested && !flooder.Closed)
                {
                    var batch = new StringBuilder();
                    for (var k = 0; k < 100; k++)
                    {
                        batch.Append(CultureInfo.InvariantCulture, $"flood {i++}\n");
                    }

                    await flooder.SendRawAsync(Encoding.ASCII.GetBytes(batch.ToString()), stop.Token);
                    Interlocked.Exchange(ref sent, i);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The server closed the connection (or the bound ran out).
            }
        });
        var told = flooder.ReadUntilAsync(l => l.StartsWith("* excess flood", StringComparison.Ordinal), "the excess flood notice", TimeSpan.FromSeconds(20));

        var clock = Stopwatch.StartNew();
        var seen = new List<(int Number, TimeSpan At)>();
        string? leave = null;
        while (leave is null && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            var line = await reader.ReadLineAsync(TimeSpan.FromSeconds(15)) ?? throw new AssertionException("the reader was disconnected");
            if (line.StartsWith("<flooder> flood ", StringComparison.Ordinal))
            {
                seen.Add((int.Parse(line["<flooder> flood ".Length..], CultureInfo.InvariantCulture), clock.Elapsed));
            }
            else if (line.StartsWith("* flooder left (", StringComparison.Ordinal))
            {
                leave = line;
            }
        }

        var cutAt = clock.Elapsed;
        await stop.CancelAsync();
        await flood.WaitAsync(TimeSpan.FromSeconds(20));
        var notice = (await told).Last();
        Assert.That(notice, Is.EqualTo("* excess flood: more than 10 lines a second for 3 s; disconnecting"));
        Assert.That(await flooder.WaitForEofAsync(), Is.True, "the flooder is disconnected");
        Assert.That(leave, Does.StartWith("* flooder left (excess flood"), "the room is told why");
        await server.WaitForLogAsync(@"client session: excess flood \(client sent lines faster than 10 a second \(--line-rate; burst 20");

        Assert.That(seen, Is.Not.Empty);
        Assert.That(seen.Select(s => s.Number), Is.EqualTo(Enumerable.Range(0, seen.Count)), "every line the room took reached the reader, in order");
        var window = seen[^1].At - seen[0].At;
        TestContext.Out.WriteLine($"flooder wrote {Interlocked.Read(ref sent)} lines; the reader saw {seen.Count} over {window.TotalSeconds:0.00} s " +
                                  $"(at most {rate} x {window.TotalSeconds:0.00} + {burst} = {(rate * window.TotalSeconds) + burst:0}); " +
                                  $"the leave came {(cutAt - seen[0].At).TotalSeconds:0.00} s after its first line");
        // Slack: the window is measured at the reader, after the relay, and a busy machine delays its ends unevenly.
        Assert.That(seen.Count, Is.LessThanOrEqualTo((rate * (window.TotalSeconds + 0.5)) + burst + 1), "the flooder is held to the rate plus its burst");
        Assert.That(seen.Count, Is.LessThan(Interlocked.Read(ref sent)), "most of what it wrote never got in");
        Assert.That(reader.Closed, Is.False, "the reader stays connected");
    }

    [Test]
    public async Task A_pasted_50_line_snippet_goes_through_whole_with_the_default_limits()
    {
        await using var server = await ServerProcess.StartAsync();
        var (paster, _) = await server.JoinAsync("paster");
        var (reader, _) = await server.JoinAsync("reader");
        await using var p = paster;
        await using var r = reader;
        await paster.SendAsync("/nick paster");
        await reader.ReadUntilAsync(l => l.EndsWith("is now known as paster", StringComparison.Ordinal), "the nick");

        var snippet = string.Concat(Enumerable.Range(0, 50).Select(i => $"    line {i} of a pasted snippet;\n"));
        await paster.SendRawAsync(Encoding.ASCII.GetBytes(snippet));
        var lines = await reader.ReadUntilAsync(l => l.EndsWith("line 49 of a pasted snippet;", StringComparison.Ordinal), "the whole paste", TimeSpan.FromSeconds(5));
        Assert.That(lines.Where(l => l.StartsWith("<paster> ", StringComparison.Ordinal)),
            Is.EqualTo(Enumerable.Range(0, 50).Select(i => $"<paster>     line {i} of a pasted snippet;")));

        await paster.SendAsync("and one more");
        await reader.ReadUntilAsync(l => l == "<paster> and one more", "the line after the paste");
        Assert.That(paster.History(), Does.Not.Contain("excess flood"));
    }

    [Test]
    public async Task Slowloris_connections_from_four_addresses_are_cut_off_after_the_line_timeout_and_a_normal_client_is_then_served()
    {
        const int perAddress = 64;
        const int slots = 16;
        await using var server = await ServerProcess.StartAsync("--line-timeout", "3", "--max-clients", $"{slots}", "--max-clients-per-ip", "4",
            "--prespawn", "4");
        var sockets = new List<Socket>();
        try
        {
            foreach (var address in new[] { "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5" })
            {
                for (var i = 0; i < perAddress; i++)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    sockets.Add(socket);
                    socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await socket.ConnectAsync(server.EndPoint, timeout.Token);
                }
            }

            var clock = Stopwatch.StartNew();
            var results = sockets.Select(s => ReadToEndAsync(s, clock, TimeSpan.FromSeconds(20))).ToArray();
            // One byte a second on every connection, never a newline: what --idle-timeout cannot catch.
            var trickle = Task.Run(async () =>
            {
                while (clock.Elapsed < TimeSpan.FromSeconds(20) && !results.All(t => t.IsCompleted))
                {
                    for (var i = 0; i < sockets.Count; i++)
                    {
                        if (!results[i].IsCompleted)
                        {
                            try
                            {
                                sockets[i].Send("x"u8, SocketFlags.None, out _);
                            }
                            catch (Exception e) when (e is SocketException or ObjectDisposedException)
                            {
                            }
                        }
                    }

                    await Task.Delay(1000);
                }
            });

            var ends = await Task.WhenAll(results);
            await trickle;
            var admitted = ends.Where(e => e.Text.Contains("* you are ", StringComparison.Ordinal)).ToList();
            var refused = ends.Where(e => e.Text.StartsWith("* too many connections", StringComparison.Ordinal) || e.Text.StartsWith("* server full", StringComparison.Ordinal)).ToList();
            Assert.That(admitted, Has.Count.EqualTo(slots), "every slot was taken by a slowloris connection");
            Assert.That(admitted.Count + refused.Count, Is.EqualTo(sockets.Count), "the rest were refused at once");
            foreach (var end in admitted)
            {
                Assert.That(end.Eof, Is.Not.Null, $"a slowloris connection was never cut off. It got:\n{end.Text}");
                Assert.That(end.Text, Does.Contain("* a line took over 3 s to arrive (the limit is 3 s); disconnecting"));
            }

            var cut = admitted.Select(e => e.Eof!.Value.TotalSeconds).Order().ToList();
            TestContext.Out.WriteLine($"{admitted.Count} slowloris connections admitted, {refused.Count} refused; cut off {cut[0]:0.0} s to {cut[^1]:0.0} s after they connected");
            await server.WaitForLogAsync(@"client session: line timeout \(one line took over 3 s to arrive \(--line-timeout\)\)");

            var (normal, _) = await server.JoinAsync("normal");
            await using var n = normal;
            await normal.SendAsync("/who");
            await normal.ReadUntilAsync(l => l.EndsWith(" here:", StringComparison.Ordinal), "the answer to /who");
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    [Test]
    public async Task An_action_cannot_pass_for_a_nick_change_or_a_leave()
    {
        await using var server = await ServerProcess.StartAsync();
        var (alice, _) = await server.JoinAsync("alice");
        var (dave, _) = await server.JoinAsync("dave");
        await using var a = alice;
        await using var d = dave;
        await dave.SendAsync("/nick dave");
        await alice.ReadUntilAsync(l => l.EndsWith("is now known as dave", StringComparison.Ordinal), "the nick");

        await dave.SendAsync("/me is now known as alice");
        await dave.SendAsync("/me left (quit: x)");
        await dave.SendAsync("done");
        var lines = await alice.ReadUntilAsync(l => l == "<dave> done", "dave's last line");
        var actions = lines.Where(l => l.Contains("is now known as alice", StringComparison.Ordinal) || l.Contains("left (quit: x)", StringComparison.Ordinal)).ToList();
        Assert.That(actions, Is.EqualTo(new[] { "~ dave is now known as alice", "~ dave left (quit: x)" }));
        foreach (var line in actions)
        {
            Assert.That(line, Does.Not.StartWith("* "), "lines that start with '* ' come from the server");
            Assert.That(ServerLine().IsMatch(line), Is.False, line);
        }
    }

    [Test]
    public async Task The_abuse_limits_are_named_options_with_their_defaults_in_help()
    {
        var info = TestTarget.StartInfo(TestTarget.PathOf("chatfork"), ["--help"]);
        using var process = Process.Start(info)!;
        var help = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        foreach (var (option, value) in new[] { ("--line-timeout", 30), ("--line-rate", 10), ("--line-burst", 60), ("--flood-timeout", 10) })
        {
            Assert.That(help, Does.Match($@"{option}\s+\(Default: {value}\)"), option);
        }
    }

    private static async Task<(string Text, TimeSpan? Eof)> ReadToEndAsync(Socket socket, Stopwatch clock, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var text = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
                if (n == 0)
                {
                    return (text.ToString(), clock.Elapsed);
                }

                text.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
        }
        catch (OperationCanceledException)
        {
            return (text.ToString(), null);
        }
        catch (SocketException)
        {
            return (text.ToString(), clock.Elapsed);
        }
    }

    // Every line the server itself writes into the room: joins, leaves, nick changes, notices.
    [GeneratedRegex(@"^\* (\S+ (joined|left|is now known as) |)")]
    private static partial Regex ServerLine();
}

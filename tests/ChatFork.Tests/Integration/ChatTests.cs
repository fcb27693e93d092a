using System.Text.RegularExpressions;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// The chat room, through real clients on real sockets, on every concurrency model: the same tests must pass whether
/// a client is served by a worker process, a thread, or an async task (so the models cannot drift apart).
/// </summary>
[TestFixture("process")]
[TestFixture("process", "shm")]
[TestFixture("thread")]
[TestFixture("async")]
public sealed partial class ChatTests
{
    private readonly string _model;
    private readonly string _fanout;

    public ChatTests(string model)
        : this(model, "pipe")
    {
    }

    // fanout: how the room reaches the workers (--fanout); the process model's room also runs through the shared ring.
    public ChatTests(string model, string fanout)
    {
        _model = model;
        _fanout = fanout;
    }

    private Task<ServerProcess> StartAsync(params string[] options) => ServerProcess.StartAsync([.. options, "--model", _model, "--fanout", _fanout]);

    [Test]
    public async Task The_greeting_names_the_clients_nick_and_its_workers_pid()
    {
        await using var server = await StartAsync();
        var (client, greeting) = await server.JoinAsync();
        await using var _ = client;

        Assert.That(greeting, Has.All.StartsWith("* "));
        var welcome = greeting[0];
        Assert.That(welcome, Does.StartWith("* welcome to chatfork: you are served by "));
        Assert.That(greeting, Has.Some.Match(@"^\* you are guest-\d+"));
        switch (_model)
        {
            case "process":
                var pid = int.Parse(WorkerPid().Match(welcome).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                Assert.That(server.WorkerPids(), Does.Contain(pid), "the pid in the greeting is one of the supervisor's workers");
                break;
            case "thread":
                var tid = int.Parse(ThreadId().Match(welcome).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                if (!TestTarget.IsWine)
                {
                    // Under Wine the greeting names a Windows thread id, which /proc does not show.
                    Assert.That(Directory.Exists($"/proc/{server.Pid}/task/{tid}"), Is.True, "the thread in the greeting is one of the server's threads");
                }

                Assert.That(welcome, Does.Contain($"of process {server.Pid}"));
                break;
            default:
                Assert.That(welcome, Does.Contain($"the event loop of process {server.Pid}"));
                break;
        }
    }

    [Test]
    public async Task Clients_see_each_others_lines_in_one_order_and_never_their_own()
    {
        await using var server = await StartAsync();
        var clients = new List<ChatClient>();
        try
        {
            // Four clients: any two of them both see the lines of the other two, so their orders can be compared.
            for (var i = 0; i < 4; i++)
            {
                var (client, _) = await server.JoinAsync($"c{i}");
                clients.Add(client);
            }

            for (var i = 0; i < 4; i++)
            {
                await clients[i].SendAsync($"/nick c{i}");
            }

            foreach (var c in clients)
            {
                await ReadNickChangesAsync(c, "c0", "c1", "c2", "c3");
            }

            const int perClient = 50;
            await Task.WhenAll(clients.Select((c, i) => Task.Run(async () =>
            {
                for (var n = 0; n < perClient; n++)
                {
                    await c.SendAsync($"m c{i} {n}");
                }
            })));

            var seen = new List<List<string>>();
            foreach (var c in clients)
            {
                var messages = new List<string>();
                while (messages.Count < 3 * perClient)
                {
                    var line = await c.ReadLineAsync() ?? throw new AssertionException($"{c.Name} was disconnected");
                    if (line.StartsWith('<'))
                    {
                        messages.Add(line);
                    }
                }

                seen.Add(messages);
            }

            for (var i = 0; i < 4; i++)
            {
                Assert.That(seen[i], Has.None.StartsWith($"<c{i}>"), $"c{i} got its own line back");
                for (var sender = 0; sender < 4; sender++)
                {
                    if (sender == i)
                    {
                        continue;
                    }

                    var fromSender = seen[i].Where(l => l.StartsWith($"<c{sender}> ", StringComparison.Ordinal)).ToList();
                    Assert.That(fromSender, Is.EqualTo(Enumerable.Range(0, perClient).Select(n => $"<c{sender}> m c{sender} {n}")),
                        $"c{i} lost or reordered lines of c{sender}");
                }
            }

            for (var a = 0; a < 4; a++)
            {
                for (var b = a + 1; b < 4; b++)
                {
                    var common = seen[a].Intersect(seen[b]).ToHashSet();
                    Assert.That(seen[a].Where(common.Contains), Is.EqualTo(seen[b].Where(common.Contains)),
                        $"c{a} and c{b} saw the lines they share in different orders");
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
    public async Task Nick_changes_are_announced_and_a_taken_or_bad_nick_is_refused()
    {
        await using var server = await StartAsync();
        var (alice, _) = await server.JoinAsync("alice");
        var (bob, _) = await server.JoinAsync("bob");
        await using var a = alice;
        await using var b = bob;

        await alice.SendAsync("/nick alice");
        await alice.ReadUntilAsync(l => l.EndsWith("is now known as alice", StringComparison.Ordinal), "alice's own nick notice");
        await bob.ReadUntilAsync(l => l.EndsWith("is now known as alice", StringComparison.Ordinal), "alice's nick notice");

        await bob.SendAsync("/nick ALICE");
        var refusal = await bob.ReadLineAsync();
        Assert.That(refusal, Does.StartWith("* ").And.Contain("taken"));

        await bob.SendAsync("/nick 9lives");
        Assert.That(await bob.ReadLineAsync(), Does.StartWith("* cannot take nick").And.Contain("start with a letter"));
    }

    [Test]
    public async Task Who_lists_every_client_with_its_worker_pid()
    {
        await using var server = await StartAsync();
        var (alice, _) = await server.JoinAsync("alice");
        var (bob, _) = await server.JoinAsync("bob");
        await using var a = alice;
        await using var b = bob;
        await alice.SendAsync("/nick alice");
        await bob.ReadUntilAsync(l => l.Contains("now known as alice", StringComparison.Ordinal), "the nick change");

        await bob.SendAsync("/who");
        var lines = await bob.ReadUntilAsync(l => l.Contains("(you)", StringComparison.Ordinal), "bob's own row");
        var aliceRow = lines.Single(l => l.Contains("alice", StringComparison.Ordinal));
        Assert.That(lines, Has.Some.Match(@"^\* 2 here"));
        Assert.That(aliceRow, Does.Contain("since").And.Contain("127.0.0.1:"));
        if (_model == "process")
        {
            var workers = server.WorkerPids();
            Assert.That(workers, Does.Contain(int.Parse(WorkerPidInRow().Match(aliceRow).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
        }
        else
        {
            Assert.That(aliceRow, Does.Match(_model == "thread" ? @"thread \d+" : @"connection \d+"));
        }
    }

    [Test]
    public async Task Msg_reaches_its_target_only_and_me_is_an_action()
    {
        await using var server = await StartAsync();
        var (alice, _) = await server.JoinAsync("alice");
        var (bob, _) = await server.JoinAsync("bob");
        var (carol, _) = await server.JoinAsync("carol");
        await using var a = alice;
        await using var b = bob;
        await using var c = carol;
        foreach (var (client, nick) in new[] { (alice, "alice"), (bob, "bob"), (carol, "carol") })
        {
            await client.SendAsync($"/nick {nick}");
        }

        // Each worker relays its client's /nick on its own, so the three renames may happen in any order.
        foreach (var client in new[] { alice, bob, carol })
        {
            await ReadNickChangesAsync(client, "alice", "bob", "carol");
        }

        await alice.SendAsync("/msg bob the password is swordfish");
        Assert.That((await bob.ReadUntilAsync(l => l.Contains("swordfish", StringComparison.Ordinal), "the private message")).Last(),
            Is.EqualTo("*alice* the password is swordfish"));
        Assert.That((await alice.ReadUntilAsync(l => l.Contains("swordfish", StringComparison.Ordinal), "the confirmation")).Last(),
            Is.EqualTo("-> *bob* the password is swordfish"));

        await alice.SendAsync("/me waves");
        Assert.That((await carol.ReadUntilAsync(l => l.Contains("waves", StringComparison.Ordinal), "the action")).Last(), Is.EqualTo("~ alice waves"));
        Assert.That(carol.History(), Does.Not.Contain("swordfish"), "carol saw a message meant for bob");

        await alice.SendAsync("/msg nobody hello");
        Assert.That((await alice.ReadUntilAsync(l => l.Contains("nobody", StringComparison.Ordinal), "the error")).Last(), Is.EqualTo("* no such nick: nobody"));
    }

    [Test]
    public async Task Ps_shows_the_server_and_each_connection()
    {
        await using var server = await StartAsync();
        var (alice, _) = await server.JoinAsync("alice");
        var (bob, _) = await server.JoinAsync("bob");
        await using var a = alice;
        await using var b = bob;
        await alice.SendAsync("/ps");
        var lines = await alice.ReadUntilAsync(l => l.Contains("processes:", StringComparison.Ordinal) || l.Contains("OS threads", StringComparison.Ordinal), "the end of the table");
        Assert.That(lines, Has.Some.Contains(server.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(lines.Count(l => l.Contains("127.0.0.1:", StringComparison.Ordinal) && !l.Contains("listening", StringComparison.Ordinal)), Is.EqualTo(2),
            "one row per connection");
        if (_model == "thread")
        {
            Assert.That(lines, Has.Some.Match(@"^\* tid \d+\s+thread\s"));
        }
    }

    [Test]
    public async Task Help_and_unknown_commands_are_answered_by_the_worker()
    {
        await using var server = await StartAsync();
        var (client, _) = await server.JoinAsync();
        await using var _ = client;
        await client.SendAsync("/help");
        var help = await client.ReadUntilAsync(l => l.Contains("//text", StringComparison.Ordinal), "the help's last line");
        Assert.That(help, Has.All.StartsWith("* "));
        Assert.That(string.Join("\n", help), Does.Contain("/nick").And.Contain("/msg").And.Contain("/ps"));

        await client.SendAsync("/frobnicate");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("* unknown command /frobnicate; /help lists the commands"));
    }

    [Test]
    public async Task Quit_says_goodbye_closes_the_connection_and_the_room_is_told()
    {
        await using var server = await StartAsync();
        var (alice, _) = await server.JoinAsync("alice");
        var (bob, _) = await server.JoinAsync("bob");
        await using var a = alice;
        await using var b = bob;
        await alice.SendAsync("/nick alice");
        await bob.ReadUntilAsync(l => l.EndsWith("now known as alice", StringComparison.Ordinal), "the nick change");

        await alice.SendAsync("/quit off to lunch");
        var last = await alice.ReadUntilAsync(l => l == "* bye", "the goodbye");
        Assert.That(await alice.WaitForEofAsync(), Is.True, "the worker closed the client's connection");
        var leave = (await bob.ReadUntilAsync(l => l.Contains("alice left", StringComparison.Ordinal), "alice's leave")).Last();
        Assert.That(leave, Does.Match(_model switch
        {
            "process" => @"^\* alice left \(quit: off to lunch; worker \d+ exited with code 0\)$",
            "thread" => @"^\* alice left \(quit; thread \d+ ended\)$",
            _ => @"^\* alice left \(quit; connection \d+ closed\)$",
        }));
    }

    private static async Task ReadNickChangesAsync(ChatClient client, params string[] nicks)
    {
        var pending = new HashSet<string>(nicks);
        await client.ReadUntilAsync(l =>
        {
            pending.RemoveWhere(n => l.EndsWith($"is now known as {n}", StringComparison.Ordinal));
            return pending.Count == 0;
        }, $"the nick changes to {string.Join(", ", nicks)}");
    }

    [GeneratedRegex(@"worker process (\d+)")]
    private static partial Regex WorkerPid();

    [GeneratedRegex(@"worker (\d+)")]
    private static partial Regex WorkerPidInRow();

    [GeneratedRegex(@"thread (\d+) of process")]
    private static partial Regex ThreadId();
}

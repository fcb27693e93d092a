using System.Text;
using System.Text.RegularExpressions;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// IRC mode against a real chatfork (<c>--protocol irc</c>) on port 0, with real worker processes, driven by an
/// RFC-following client (<see cref="IrcTestClient"/>). Each test reads what a client would read and checks the
/// numerics and the relayed lines that RFC 2812 and the Modern IRC documents prescribe.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
[LinuxOnly("checks worker pids through /proc and was written against the Linux build; IRC under Wine is left to a later round")]
public sealed partial class IrcTests
{
    private const string ServerName = "irc.test";

    [Test]
    public async Task Registration_welcomes_with_001_to_005_lusers_and_motd_naming_the_worker_and_supervisor_pids()
    {
        await using var server = await StartAsync();
        var (alice, welcome) = await IrcTestClient.RegisterAsync(server.EndPoint, "alice");
        await using var _ = alice;

        var commands = welcome.Select(r => r.Command).ToList();
        Assert.That(commands, Does.Contain("CAP"), "CAP LS is answered");
        foreach (var numeric in new[] { "001", "002", "003", "004", "005", "251", "254", "255", "375", "372", "376" })
        {
            Assert.That(commands, Does.Contain(numeric), $"the welcome burst holds {numeric}:\n{alice.History()}");
        }

        Assert.That(welcome.Where(r => r.Command.Length == 3 && char.IsDigit(r.Command[0])).All(r => r.Source == ServerName && r.Param(0) == "alice"),
            "every numeric comes from the server name and is addressed to the nick");
        var workers = server.Children().Select(c => c.Pid).ToList();
        var yourHost = welcome.Single(r => r.Command == "002").Params[^1];
        var pid = int.Parse(WorkerPid().Match(yourHost).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(workers, Does.Contain(pid), $"002 names alice's worker, a child of the supervisor: {yourHost}");
        Assert.That(yourHost, Does.Contain($"supervisor {server.Pid}"));
        Assert.That(welcome.Single(r => r.Command == "003").Params[^1], Does.Contain(server.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(welcome.Single(r => r.Command == "004").Params, Is.EqualTo(new[] { "alice", ServerName, "chatfork-0.1.0", "i", "nt", "o" }));
        var isupport = welcome.Where(r => r.Command == "005").SelectMany(r => r.Params.Skip(1).SkipLast(1)).ToList();
        Assert.That(isupport, Is.SupersetOf(new[] { "CASEMAPPING=rfc1459", "CHANTYPES=#", "NICKLEN=30", "CHANNELLEN=50", "PREFIX=(o)@", "CHANLIMIT=#:20" }));
        Assert.That(welcome.Where(r => r.Command == "005").All(r => r.Params[^1] == "are supported by this server"));
    }

    [Test]
    public async Task Cap_negotiation_holds_registration_until_CAP_END_and_no_capability_is_granted()
    {
        await using var server = await StartAsync();
        await using var client = await IrcTestClient.ConnectAsync(server.EndPoint, "capper");
        await client.SendAsync("CAP LS 302");
        await client.SendAsync("NICK capper");
        await client.SendAsync("USER capper 0 * :Cap Per");
        var ls = await client.ExpectAsync("CAP");
        Assert.That(ls.Params, Is.EqualTo(new[] { "*", "LS", "" }), "an empty capability list");
        await client.SendAsync("CAP REQ :multi-prefix");
        var nak = await client.ExpectAsync("CAP");
        Assert.That(nak.Params, Is.EqualTo(new[] { "*", "NAK", "multi-prefix" }));
        var before = await client.SyncAsync();
        Assert.That(before.Select(r => r.Command), Does.Not.Contain("001"), "no welcome before CAP END");
        await client.SendAsync("CAP END");
        Assert.That((await client.ExpectAsync("001")).Param(0), Is.EqualTo("capper"));
    }

    [Test]
    public async Task Three_clients_in_three_workers_join_a_channel_and_talk_without_echo()
    {
        await using var server = await StartAsync();
        var (alice, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "alice");
        var (bob, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "bob");
        var (carol, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "carol");
        await using var a = alice;
        await using var b = bob;
        await using var c = carol;

        // Three distinct worker processes, each a child of this supervisor, as WHOIS (312) says.
        var pids = new List<int>();
        foreach (var nick in new[] { "alice", "bob", "carol" })
        {
            await alice.SendAsync($"WHOIS {nick}");
            var lines = await alice.ReadUntilAsync(r => r.Command == "318", "the end of WHOIS");
            var server312 = lines.Single(r => r.Command == "312");
            Assert.That(server312.Param(2), Is.EqualTo(ServerName));
            pids.Add(int.Parse(WorkerPid().Match(server312.Params[^1]).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        var children = server.Children().Select(ch => ch.Pid).ToList();
        Assert.That(pids.Distinct().Count(), Is.EqualTo(3), $"three workers: {string.Join(", ", pids)}");
        Assert.That(children, Is.SupersetOf(pids), "each worker is a child process of the supervisor");
        foreach (var pid in pids)
        {
            Assert.That(ProcFs.Stat(pid)?.Command, Is.EqualTo("chatfork-worker"));
        }

        await alice.SendAsync("JOIN #lab");
        var aliceJoin = await alice.ReadUntilAsync(r => r.Command == "366", "the end of NAMES");
        Assert.That(aliceJoin[0].Raw, Does.StartWith(":alice!~alice@127.0.0.1 JOIN #lab"), "the JOIN echo comes first");
        Assert.That(aliceJoin.Single(r => r.Command == "353").Params, Is.EqualTo(new[] { "alice", "=", "#lab", "@alice" }), "the creator is +o");

        await bob.SendAsync("JOIN #lab");
        await bob.ExpectAsync("366");
        await carol.SendAsync("JOIN #lab");
        var carolNames = (await carol.ReadUntilAsync(r => r.Command == "366", "the end of NAMES")).Single(r => r.Command == "353");
        Assert.That(carolNames.Params[^1].Split(' '), Is.EquivalentTo(new[] { "@alice", "bob", "carol" }));
        Assert.That((await alice.ExpectAsync("JOIN")).SourceNick, Is.EqualTo("bob"));
        Assert.That((await alice.ExpectAsync("JOIN")).SourceNick, Is.EqualTo("carol"));
        Assert.That((await bob.ExpectAsync("JOIN")).SourceNick, Is.EqualTo("carol"));

        await alice.SendAsync("PRIVMSG #lab :hello from alice");
        foreach (var other in new[] { bob, carol })
        {
            var message = await other.ExpectAsync("PRIVMSG");
            Assert.That(message.Raw, Is.EqualTo(":alice!~alice@127.0.0.1 PRIVMSG #lab :hello from alice"));
        }

        Assert.That((await alice.SyncAsync()).Select(r => r.Command), Does.Not.Contain("PRIVMSG"), "a channel message is not echoed to its sender");

        await bob.SendAsync("NOTICE #lab :a notice from bob");
        Assert.That((await carol.ExpectAsync("NOTICE")).Raw, Is.EqualTo(":bob!~bob@127.0.0.1 NOTICE #lab :a notice from bob"));
        Assert.That((await alice.ExpectAsync("NOTICE")).SourceNick, Is.EqualTo("bob"));

        await carol.SendAsync("PRIVMSG Alice :just for you");
        Assert.That((await alice.ExpectAsync("PRIVMSG")).Raw, Is.EqualTo(":carol!~carol@127.0.0.1 PRIVMSG alice :just for you"), "nicks fold case");
        Assert.That((await bob.SyncAsync()).Select(r => r.Command), Does.Not.Contain("PRIVMSG"), "a private message reaches only its target");
    }

    [Test]
    public async Task Topic_names_list_mode_kick_and_part_follow_the_rfc()
    {
        await using var server = await StartAsync();
        var (alice, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "alice");
        var (bob, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "bob");
        var (carol, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "carol");
        await using var a = alice;
        await using var b = bob;
        await using var c = carol;

        await alice.SendAsync("JOIN #lab");
        await alice.ExpectAsync("366");
        await alice.SendAsync("TOPIC #lab");
        Assert.That((await alice.ExpectAsync("331")).Params, Is.EqualTo(new[] { "alice", "#lab", "No topic is set" }));
        await alice.SendAsync("TOPIC #lab :processes all the way down");
        Assert.That((await alice.ExpectAsync("TOPIC")).Raw, Is.EqualTo(":alice!~alice@127.0.0.1 TOPIC #lab :processes all the way down"));

        await bob.SendAsync("JOIN #lab");
        var bobJoin = await bob.ReadUntilAsync(r => r.Command == "366", "the end of NAMES");
        Assert.That(bobJoin.Single(r => r.Command == "332").Params, Is.EqualTo(new[] { "bob", "#lab", "processes all the way down" }));
        Assert.That(bobJoin.Single(r => r.Command == "333").Param(2), Is.EqualTo("alice!~alice@127.0.0.1"));
        await carol.SendAsync("JOIN #lab");
        await carol.ExpectAsync("366");

        await bob.SendAsync("TOPIC #lab :bob was here");
        Assert.That((await bob.ExpectAsync("482")).Params, Is.EqualTo(new[] { "bob", "#lab", "You're not channel operator" }), "+t: only operators set the topic");

        await bob.SendAsync("MODE #lab");
        var modeIs = await bob.ExpectAsync("324");
        Assert.That(modeIs.Param(2), Is.EqualTo("+nt"));
        Assert.That((await bob.ExpectAsync("329")).Param(1), Is.EqualTo("#lab"));

        await alice.SendAsync("MODE #lab +o bob");
        Assert.That((await carol.ExpectAsync("MODE")).Raw, Is.EqualTo(":alice!~alice@127.0.0.1 MODE #lab +o bob"));
        await alice.SendAsync("MODE #lab -t");
        Assert.That((await bob.ExpectAsync("MODE")).Params, Is.EqualTo(new[] { "#lab", "+o", "bob" }));
        Assert.That((await bob.ExpectAsync("MODE")).Params, Is.EqualTo(new[] { "#lab", "-t" }));
        await carol.SendAsync("TOPIC #lab :anyone may now");
        Assert.That((await alice.ExpectAsync("TOPIC")).Params, Is.EqualTo(new[] { "#lab", "anyone may now" }), "-t lets any member set the topic");

        await carol.SendAsync("NAMES #lab");
        var names = await carol.ReadUntilAsync(r => r.Command == "366", "NAMES");
        Assert.That(names.Single(r => r.Command == "353").Params[^1].Split(' '), Is.EquivalentTo(new[] { "@alice", "@bob", "carol" }));

        await carol.SendAsync("LIST");
        var list = await carol.ReadUntilAsync(r => r.Command == "323", "the end of LIST");
        Assert.That(list.Select(r => r.Command), Does.Contain("321"));
        var entry = list.Single(r => r.Command == "322");
        Assert.That(entry.Params.Take(3), Is.EqualTo(new[] { "carol", "#lab", "3" }));
        Assert.That(entry.Params[^1], Does.Contain("anyone may now"));

        await bob.SendAsync("KICK #lab carol :out you go");
        Assert.That((await carol.ExpectAsync("KICK")).Raw, Is.EqualTo(":bob!~bob@127.0.0.1 KICK #lab carol :out you go"));
        Assert.That((await alice.ExpectAsync("KICK")).Param(1), Is.EqualTo("carol"));
        await carol.SendAsync("PRIVMSG #lab :still here?");
        Assert.That((await carol.ExpectAsync("404")).Param(1), Is.EqualTo("#lab"), "+n: a kicked user cannot send to the channel");

        await bob.SendAsync("PART #lab :bye for now");
        Assert.That((await alice.ExpectAsync("PART")).Raw, Is.EqualTo(":bob!~bob@127.0.0.1 PART #lab :bye for now"));
        Assert.That((await bob.ExpectAsync("PART")).SourceNick, Is.EqualTo("bob"), "PART is echoed to the one who leaves");
        await alice.SendAsync("NAMES #lab");
        var after = await alice.ReadUntilAsync(r => r.Command == "366", "NAMES");
        Assert.That(after.Single(r => r.Command == "353").Params[^1], Is.EqualTo("@alice"));
    }

    [Test]
    public async Task Quit_reason_is_relayed_once_to_everyone_who_shared_a_channel_and_the_quitter_reads_ERROR()
    {
        await using var server = await StartAsync();
        var (alice, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "alice");
        var (bob, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "bob");
        var (carol, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "carol");
        await using var a = alice;
        await using var b = bob;
        await using var c = carol;
        foreach (var client in new[] { alice, bob })
        {
            await client.SendAsync("JOIN #one,#two");
            await client.ExpectAsync("366");
            await client.ExpectAsync("366");
        }

        await bob.SendAsync("QUIT :off to lunch");
        var last = await bob.ReadUntilAsync(r => r.Command == "ERROR", "ERROR");
        Assert.That(last[^1].Raw, Is.EqualTo("ERROR :Closing Link: 127.0.0.1 (Quit: off to lunch)"));
        Assert.That(await bob.WaitForEofAsync(), Is.True, "the server closes the connection after ERROR");

        var quit = await alice.ExpectAsync("QUIT");
        Assert.That(quit.Raw, Is.EqualTo(":bob!~bob@127.0.0.1 QUIT :Quit: off to lunch"));
        Assert.That((await alice.SyncAsync()).Select(r => r.Command), Does.Not.Contain("QUIT"), "one QUIT, though they shared two channels");
        Assert.That((await carol.SyncAsync()).Select(r => r.Command), Does.Not.Contain("QUIT"), "no QUIT for someone who shared no channel");
        await server.WaitForLogAsync(@"reaped worker \d+");
    }

    [Test]
    public async Task Client_ping_gets_pong_and_a_silent_client_is_pinged_then_dropped_for_ping_timeout()
    {
        await using var server = await StartAsync("--ping-interval", "1", "--ping-timeout", "1");
        var (alice, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "alice");
        var (bob, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "bob");
        await using var a = alice;
        await using var b = bob;
        await alice.SendAsync("JOIN #lab");
        await alice.ExpectAsync("366");
        await bob.SendAsync("JOIN #lab");
        await bob.ExpectAsync("366");

        await alice.SendAsync("PING :are-you-there");
        var pong = await alice.ExpectAsync("PONG");
        Assert.That(pong.Raw, Is.EqualTo($":{ServerName} PONG {ServerName} are-you-there"));

        bob.AnswerPings = false;
        var ping = await bob.ExpectAsync("PING");
        Assert.That(ping.Raw, Is.EqualTo($":{ServerName} PING :{ServerName}"));
        var error = await bob.ExpectAsync("ERROR", TimeSpan.FromSeconds(15));
        Assert.That(error.Raw, Is.EqualTo("ERROR :Closing Link: 127.0.0.1 (Ping timeout: 2 seconds)"));
        Assert.That(await bob.WaitForEofAsync(), Is.True);

        // alice answers every PING (the client does it while it reads), so she is still there to see bob go.
        var quit = await alice.ExpectAsync("QUIT", TimeSpan.FromSeconds(15));
        Assert.That(quit.Raw, Is.EqualTo(":bob!~bob@127.0.0.1 QUIT :Ping timeout: 2 seconds"));
        Assert.That(alice.Closed, Is.False);
    }

    [Test]
    public async Task Who_whois_ison_userhost_and_away_answer_as_the_rfc_says()
    {
        await using var server = await StartAsync();
        var (alice, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "alice");
        var (bob, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "bob");
        await using var a = alice;
        await using var b = bob;
        await alice.SendAsync("JOIN #lab");
        await alice.ExpectAsync("366");
        await bob.SendAsync("JOIN #lab");
        await bob.ExpectAsync("366");

        await bob.SendAsync("AWAY :gone fishing");
        Assert.That((await bob.ExpectAsync("306")).Params[^1], Is.EqualTo("You have been marked as being away"));

        await alice.SendAsync("WHO #lab");
        var who = await alice.ReadUntilAsync(r => r.Command == "315", "the end of WHO");
        var replies = who.Where(r => r.Command == "352").ToDictionary(r => r.Param(5)!);
        Assert.That(replies.Keys, Is.EquivalentTo(new[] { "alice", "bob" }));
        Assert.That(replies["alice"].Params.Take(7), Is.EqualTo(new[] { "alice", "#lab", "~alice", "127.0.0.1", ServerName, "alice", "H@" }));
        Assert.That(replies["bob"].Param(6), Is.EqualTo("G"), "away users are G(one)");
        Assert.That(replies["bob"].Params[^1], Is.EqualTo("0 bob the tester"), "hop count and real name");
        Assert.That(who[^1].Params, Is.EqualTo(new[] { "alice", "#lab", "End of WHO list" }));

        await alice.SendAsync("PRIVMSG bob :are you there?");
        Assert.That((await alice.ExpectAsync("301")).Params, Is.EqualTo(new[] { "alice", "bob", "gone fishing" }));

        await alice.SendAsync("WHOIS bob");
        var whois = await alice.ReadUntilAsync(r => r.Command == "318", "the end of WHOIS");
        Assert.That(whois.Single(r => r.Command == "311").Params, Is.EqualTo(new[] { "alice", "bob", "~bob", "127.0.0.1", "*", "bob the tester" }));
        Assert.That(whois.Single(r => r.Command == "319").Params[^1], Is.EqualTo("#lab"));
        Assert.That(whois.Single(r => r.Command == "301").Params[^1], Is.EqualTo("gone fishing"));
        Assert.That(whois.Select(r => r.Command), Does.Contain("317"));

        await alice.SendAsync("ISON bob nobody ALICE");
        Assert.That((await alice.ExpectAsync("303")).Params, Is.EqualTo(new[] { "alice", "bob alice" }));
        await alice.SendAsync("USERHOST alice bob nobody");
        Assert.That((await alice.ExpectAsync("302")).Params, Is.EqualTo(new[] { "alice", "alice=+~alice@127.0.0.1 bob=-~bob@127.0.0.1" }));

        await bob.SendAsync("AWAY");
        Assert.That((await bob.ExpectAsync("305")).Params[^1], Is.EqualTo("You are no longer marked as being away"));
    }

    [Test]
    public async Task Nick_changes_reach_channel_peers_and_nicks_fold_with_rfc1459_casemapping()
    {
        await using var server = await StartAsync();
        var (alice, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "alice[1]");
        var (bob, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "bob");
        await using var a = alice;
        await using var b = bob;
        await alice.SendAsync("JOIN #lab");
        await alice.ExpectAsync("366");
        await bob.SendAsync("JOIN #LAB");
        var join = await bob.ExpectAsync("JOIN");
        Assert.That(join.Param(0), Is.EqualTo("#lab"), "channel names fold: #LAB is #lab");

        await bob.SendAsync("NICK ALICE{1}");
        Assert.That((await bob.ExpectAsync("433")).Params, Is.EqualTo(new[] { "bob", "ALICE{1}", "Nickname is already in use" }), "[ and { are the same letter in rfc1459");

        await bob.SendAsync("NICK robert");
        Assert.That((await alice.ExpectAsync("NICK")).Raw, Is.EqualTo(":bob!~bob@127.0.0.1 NICK robert"));
        Assert.That((await bob.ExpectAsync("NICK")).Params, Is.EqualTo(new[] { "robert" }));
        await bob.SendAsync("PRIVMSG #lab :hi as robert");
        Assert.That((await alice.ExpectAsync("PRIVMSG")).SourceNick, Is.EqualTo("robert"));
        await alice.SendAsync("WHOIS bob");
        Assert.That((await alice.ExpectAsync("401")).Param(1), Is.EqualTo("bob"));
    }

    [Test]
    public async Task Every_bad_or_unknown_command_gets_its_error_numeric()
    {
        await using var server = await StartAsync("--max-channels", "2");
        await using var early = await IrcTestClient.ConnectAsync(server.EndPoint, "early");
        await early.SendAsync("JOIN #lab");
        Assert.That((await early.ExpectAsync("451")).Params, Is.EqualTo(new[] { "*", "You have not registered" }));
        await early.SendAsync("USER early");
        Assert.That((await early.ExpectAsync("461")).Params, Is.EqualTo(new[] { "*", "USER", "Not enough parameters" }));
        await early.SendAsync("NICK");
        Assert.That((await early.ExpectAsync("431")).Params[^1], Is.EqualTo("No nickname given"));
        await early.SendAsync("NICK 9lives");
        Assert.That((await early.ExpectAsync("432")).Params, Is.EqualTo(new[] { "*", "9lives", "Erroneous nickname" }));

        var (alice, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "alice");
        var (bob, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "bob");
        await using var a = alice;
        await using var b = bob;
        await alice.SendAsync("JOIN #lab");
        await alice.ExpectAsync("366");

        async Task Expect(IrcTestClient client, string line, string numeric, params string[] parameters)
        {
            await client.SendAsync(line);
            var reply = await client.ExpectAsync(numeric);
            Assert.That(reply.Source, Is.EqualTo(ServerName), line);
            Assert.That(reply.Params, Is.EqualTo(new[] { client.Nick }.Concat(parameters)), $"{line} -> {numeric}");
        }

        await Expect(bob, "PRIVMSG nobody :hello", "401", "nobody", "No such nick/channel");
        await Expect(bob, "PART #nowhere", "403", "#nowhere", "No such channel");
        await Expect(bob, "JOIN lab", "403", "lab", "No such channel");
        await Expect(bob, "PRIVMSG #lab :from outside", "404", "#lab", "Cannot send to channel");
        await Expect(bob, "PRIVMSG", "411", "No recipient given (PRIVMSG)");
        await Expect(bob, "PRIVMSG #lab", "412", "No text to send");
        await Expect(bob, "FROBNICATE now", "421", "FROBNICATE", "Unknown command");
        await Expect(bob, "NICK", "431", "No nickname given");
        await Expect(bob, "NICK bad!nick", "432", "bad!nick", "Erroneous nickname");
        await Expect(bob, "NICK Alice", "433", "Alice", "Nickname is already in use");
        await Expect(bob, "PART #lab", "442", "#lab", "You're not on that channel");
        await Expect(bob, "JOIN", "461", "JOIN", "Not enough parameters");
        await Expect(bob, "USER again 0 * :Again", "462", "You may not reregister");
        await Expect(bob, "PASS late", "462", "You may not reregister");
        await Expect(alice, "KICK #lab bob", "441", "bob", "#lab", "They aren't on that channel");
        await Expect(alice, "MODE #lab +z", "472", "z", "is unknown mode char to me for #lab");
        await Expect(alice, "JOIN #bad\u0007name", "476", "#bad\u0007name", "Bad Channel Mask");
        await Expect(alice, "MODE alice +z", "501", "Unknown MODE flag");
        await Expect(alice, "MODE bob +i", "502", "Cant change mode for other users");
        await Expect(alice, "PING", "409", "No origin specified");
        await Expect(alice, "CAP FROB", "410", "FROB", "Invalid CAP command");
        await Expect(alice, "OPER root secret", "491", "No O-lines for your host");
        await bob.SendAsync("JOIN #lab");
        await bob.ExpectAsync("366");
        await Expect(bob, "TOPIC #lab :mine now", "482", "#lab", "You're not channel operator");
        await Expect(bob, "KICK #lab alice", "482", "#lab", "You're not channel operator");
        await bob.SendAsync("JOIN #two");
        await bob.ExpectAsync("366");
        await Expect(bob, "JOIN #three", "405", "#three", "You have joined too many channels (at most 2)");

        // NOTICE never draws an error reply (RFC 2812 3.3.2), and the connection keeps working after all of this.
        await bob.SendAsync("NOTICE nobody :hello?");
        Assert.That((await bob.SyncAsync()).Select(r => r.Command), Does.Not.Contain("401"));
        await bob.SendAsync("PRIVMSG #lab :still fine");
        Assert.That((await alice.ExpectAsync("PRIVMSG")).Params, Is.EqualTo(new[] { "#lab", "still fine" }));
    }

    [Test]
    public async Task A_line_over_512_bytes_gets_417_and_none_of_it_is_executed()
    {
        await using var server = await StartAsync();
        var (alice, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "alice");
        var (bob, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "bob");
        await using var a = alice;
        await using var b = bob;
        await alice.SendAsync("JOIN #lab");
        await alice.ExpectAsync("366");
        await bob.SendAsync("JOIN #lab");
        await bob.ExpectAsync("366");

        var text = new string('x', 600);
        await bob.SendAsync($"PRIVMSG #lab :{text}");
        Assert.That((await bob.ExpectAsync("417")).Params, Is.EqualTo(new[] { "bob", "Input line was too long" }));
        var exact = "PRIVMSG #lab :" + new string('y', IrcLimitContent - "PRIVMSG #lab :".Length);
        await bob.SendAsync(exact);
        var relayed = await alice.ExpectAsync("PRIVMSG");
        Assert.That(relayed.Params[^1], Does.StartWith("yyyy"), "a line of exactly 510 bytes is taken");
        Assert.That(Encoding.UTF8.GetByteCount(relayed.Raw) + 2, Is.LessThanOrEqualTo(512), "a relayed line keeps the 512-byte rule");
        Assert.That((await alice.SyncAsync()).Any(r => r.Last?.StartsWith("xxxx", StringComparison.Ordinal) == true), Is.False,
            "nothing of the long line was relayed");
    }

    [Test]
    public async Task A_flooding_client_is_dropped_for_Excess_Flood_and_its_channel_is_told()
    {
        await using var server = await StartAsync("--flood-burst", "10", "--flood-rate", "1");
        var (alice, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "alice");
        var (bob, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "bob");
        await using var a = alice;
        await using var b = bob;
        await alice.SendAsync("JOIN #lab");
        await alice.ExpectAsync("366");
        await bob.SendAsync("JOIN #lab");
        await bob.ExpectAsync("366");

        var flood = string.Concat(Enumerable.Range(0, 50).Select(i => $"PRIVMSG #lab :flood {i}\r\n"));
        await bob.SendRawAsync(Encoding.UTF8.GetBytes(flood));
        var error = await bob.ExpectAsync("ERROR");
        Assert.That(error.Raw, Is.EqualTo("ERROR :Closing Link: 127.0.0.1 (Excess Flood)"));
        var seen = await alice.ReadUntilAsync(r => r.Command == "QUIT", "bob's QUIT");
        Assert.That(seen[^1].Raw, Is.EqualTo(":bob!~bob@127.0.0.1 QUIT :Excess Flood"));
        Assert.That(seen.Count(r => r.Command == "PRIVMSG"), Is.LessThan(50), "the flood was cut short");
        await server.WaitForLogAsync(@"WARN  worker\[\d+\] worker: Excess Flood; disconnecting it");
    }

    [Test]
    public async Task Password_is_checked_when_set_and_a_wrong_one_is_refused_with_464()
    {
        await using var server = await StartAsync("--password", "sekrit");
        await using (var none = await IrcTestClient.ConnectAsync(server.EndPoint, "nopass"))
        {
            await none.SendAsync("NICK nopass");
            await none.SendAsync("USER nopass 0 * :No Pass");
            Assert.That((await none.ExpectAsync("464")).Params, Is.EqualTo(new[] { "*", "Password incorrect" }));
            Assert.That((await none.ExpectAsync("ERROR")).Raw, Is.EqualTo("ERROR :Closing Link: 127.0.0.1 (Bad Password)"));
            Assert.That(await none.WaitForEofAsync(), Is.True);
        }

        await using var wrong = await IrcTestClient.ConnectAsync(server.EndPoint, "wrong");
        await wrong.SendAsync("PASS guess");
        await wrong.SendAsync("NICK wrong");
        await wrong.SendAsync("USER wrong 0 * :Wrong");
        await wrong.ExpectAsync("464");

        var (right, welcome) = await IrcTestClient.RegisterAsync(server.EndPoint, "right", password: "sekrit");
        await using var _ = right;
        Assert.That(welcome.Select(r => r.Command), Does.Contain("001"));
        await server.WaitForLogAsync("refused connection .* wrong password");
    }

    [Test]
    public async Task Commands_sent_right_after_USER_run_in_order_once_registered()
    {
        await using var server = await StartAsync();
        await using var client = await IrcTestClient.ConnectAsync(server.EndPoint, "eager");
        await client.SendAsync("NICK eager\r\nUSER eager 0 * :Eager\r\nJOIN #lab\r\nTOPIC #lab :set at once");
        var lines = await client.ReadUntilAsync(r => r.Command == "TOPIC", "the TOPIC echo");
        var order = lines.Select(r => r.Command).Where(c => c is "001" or "JOIN" or "366" or "TOPIC").ToList();
        Assert.That(order, Is.EqualTo(new[] { "001", "JOIN", "366", "TOPIC" }));
        Assert.That(lines.Select(r => r.Command), Does.Not.Contain("451"));
    }

    [Test]
    public async Task A_nick_taken_at_registration_gets_433_and_the_client_may_choose_another()
    {
        await using var server = await StartAsync();
        var (alice, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "alice");
        await using var a = alice;
        await using var other = await IrcTestClient.ConnectAsync(server.EndPoint, "ALICE");
        await other.SendAsync("NICK ALICE");
        await other.SendAsync("USER alice2 0 * :Second Alice");
        Assert.That((await other.ExpectAsync("433")).Params, Is.EqualTo(new[] { "*", "ALICE", "Nickname is already in use" }));
        await other.SendAsync("NICK alice_");
        Assert.That((await other.ExpectAsync("001")).Param(0), Is.EqualTo("alice_"));
    }

    private const int IrcLimitContent = 510;

    private static Task<ServerProcess> StartAsync(params string[] options) =>
        ServerProcess.StartAsync(["--protocol", "irc", "--server-name", ServerName, .. options]);

    [GeneratedRegex(@"worker process (\d+)")]
    private static partial Regex WorkerPid();
}

using System.Text;
using ChatFork.Irc;
using ChatFork.Protocol;
using ChatFork.Supervisor.Irc;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>The supervisor's IRC state machine, driven event by event with fake members: no processes, no sockets.</summary>
public sealed class IrcServerTests
{
    private static IrcSettings Settings(string? password = null, int perClient = 20, int total = 1000) =>
        new("srv", password, perClient, total, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(60), 40, 4);

    [Test]
    public void Registration_tells_the_worker_its_nick_and_sends_the_welcome_with_the_pids()
    {
        var server = new IrcServer(Settings(), 4200, "chatfork-test");
        var alice = Register(server, 1, "alice");
        Assert.That(alice.Nicks, Is.EqualTo(new[] { "alice" }));
        Assert.That(alice.Lines[0], Is.EqualTo(":srv 001 alice :Welcome to the ChatFork IRC network, alice!~alice@127.0.0.1"));
        Assert.That(alice.Lines[1], Does.Contain("worker process 4201").And.Contain("supervisor 4200"));
        Assert.That(alice.Lines.Count(l => l.StartsWith(":srv 005 ", StringComparison.Ordinal)), Is.EqualTo(2));
        Assert.That(alice.Lines[^1], Is.EqualTo(":srv 376 alice :End of /MOTD command."));
        Assert.That(alice.Flushes, Is.EqualTo(0), "flushing is the loop's job, once per batch");
        server.FlushDirty();
        Assert.That(alice.Flushes, Is.EqualTo(1));
    }

    [Test]
    public void A_nick_in_use_in_any_case_is_refused_with_433_and_no_nick_is_given()
    {
        var server = new IrcServer(Settings(), 4200, "v");
        Register(server, 1, "Alice[");
        var second = Register(server, 2, "alice{");
        Assert.That(second.Lines, Is.EqualTo(new[] { ":srv 433 * alice{ :Nickname is already in use" }));
        Assert.That(second.Nicks, Is.Empty);
        Command(server, second, IrcVerb.Join, "#lab");
        Assert.That(second.Lines[^1], Is.EqualTo(":srv 451 * :You have not registered"));
    }

    [Test]
    public void A_wrong_or_missing_password_gets_464_and_a_close()
    {
        var server = new IrcServer(Settings(password: "pw"), 4200, "v");
        var none = Register(server, 1, "alice");
        Assert.That(none.Lines, Is.EqualTo(new[] { ":srv 464 * :Password incorrect" }));
        Assert.That(none.Closes, Is.EqualTo(new[] { "Bad Password" }));
        var right = Register(server, 2, "alice", password: "pw");
        Assert.That(right.Nicks, Is.EqualTo(new[] { "alice" }));
    }

    [Test]
    public void The_first_to_join_is_operator_and_messages_go_to_the_others_only()
    {
        var server = new IrcServer(Settings(), 4200, "v");
        var alice = Register(server, 1, "alice");
        var bob = Register(server, 2, "bob");
        Command(server, alice, IrcVerb.Join, "#lab");
        Assert.That(alice.Lines[^3..], Is.EqualTo(new[]
        {
            ":alice!~alice@127.0.0.1 JOIN #lab",
            ":srv 353 alice = #lab :@alice",
            ":srv 366 alice #lab :End of /NAMES list",
        }));
        Command(server, bob, IrcVerb.Join, "#lab");
        Assert.That(alice.Lines[^1], Is.EqualTo(":bob!~bob@127.0.0.1 JOIN #lab"));
        Assert.That(bob.Lines[^2], Is.EqualTo(":srv 353 bob = #lab :@alice bob"));

        alice.Lines.Clear();
        Command(server, bob, IrcVerb.Privmsg, "#lab", "hello");
        Assert.That(alice.Lines, Is.EqualTo(new[] { ":bob!~bob@127.0.0.1 PRIVMSG #lab :hello" }));
        Assert.That(bob.Lines[^1], Is.Not.Contains("PRIVMSG"), "no echo");
    }

    [Test]
    public void Channel_limits_per_client_and_in_all_answer_405()
    {
        var server = new IrcServer(Settings(perClient: 2, total: 3), 4200, "v");
        var alice = Register(server, 1, "alice");
        var bob = Register(server, 2, "bob");
        Command(server, alice, IrcVerb.Join, "#a,#b,#c");
        Assert.That(alice.Lines[^1], Is.EqualTo(":srv 405 alice #c :You have joined too many channels (at most 2)"));
        Command(server, bob, IrcVerb.Join, "#x,#y");
        Assert.That(bob.Lines[^1], Is.EqualTo(":srv 405 bob #y :Cannot create #y: the server already holds its limit of 3 channels"));
        Command(server, bob, IrcVerb.Join, "#a");
        Assert.That(bob.Lines[^1], Is.EqualTo(":srv 366 bob #a :End of /NAMES list"), "an existing channel can still be joined");
    }

    [Test]
    public void Leaving_relays_the_quit_reason_once_and_empties_channels_disappear()
    {
        var server = new IrcServer(Settings(), 4200, "v");
        var alice = Register(server, 1, "alice");
        var bob = Register(server, 2, "bob");
        Command(server, alice, IrcVerb.Join, "#a,#b");
        Command(server, bob, IrcVerb.Join, "#a,#b");
        alice.Lines.Clear();
        server.Process(new IrcEvent(IrcEventKind.Left, bob, Reason: "Quit: bye"));
        Assert.That(alice.Lines, Is.EqualTo(new[] { ":bob!~bob@127.0.0.1 QUIT :Quit: bye" }));
        server.Process(new IrcEvent(IrcEventKind.Left, alice, Reason: "Quit: me too"));
        var carol = Register(server, 3, "carol");
        Command(server, carol, IrcVerb.List);
        Assert.That(carol.Lines[^2..], Is.EqualTo(new[] { ":srv 321 carol Channel :Users  Name", ":srv 323 carol :End of /LIST" }));
    }

    [Test]
    public void A_member_whose_queue_is_full_is_dropped_and_not_written_to_again()
    {
        var server = new IrcServer(Settings(), 4200, "v");
        var alice = Register(server, 1, "alice");
        var bob = Register(server, 2, "bob");
        Command(server, alice, IrcVerb.Join, "#lab");
        Command(server, bob, IrcVerb.Join, "#lab");
        bob.Full = true;
        Command(server, alice, IrcVerb.Privmsg, "#lab", "one");
        Command(server, alice, IrcVerb.Privmsg, "#lab", "two");
        Assert.That(bob.Drops, Is.EqualTo(1));
    }

    [Test]
    public void Mode_changes_are_applied_once_and_echoed_as_one_line()
    {
        var server = new IrcServer(Settings(), 4200, "v");
        var alice = Register(server, 1, "alice");
        var bob = Register(server, 2, "bob");
        Command(server, alice, IrcVerb.Join, "#lab");
        Command(server, bob, IrcVerb.Join, "#lab");
        Command(server, alice, IrcVerb.Mode, "#lab", "-t+o", "bob");
        Assert.That(bob.Lines[^1], Is.EqualTo(":alice!~alice@127.0.0.1 MODE #lab -t+o bob"));
        Command(server, alice, IrcVerb.Mode, "#lab", "-t");
        Assert.That(bob.Lines[^1], Is.EqualTo(":alice!~alice@127.0.0.1 MODE #lab -t+o bob"), "nothing changed, nothing said");
        Command(server, bob, IrcVerb.Mode, "#lab", "b");
        Assert.That(bob.Lines[^1], Is.EqualTo(":srv 368 bob #lab :End of channel ban list"));
        Command(server, bob, IrcVerb.Mode, "bob", "+iw");
        Assert.That(bob.Lines[^2..], Is.EqualTo(new[] { ":srv 501 bob :Unknown MODE flag", ":bob!~bob@127.0.0.1 MODE bob :+i" }));
    }

    [Test]
    public void The_frame_reader_turns_valid_frames_into_events_and_refuses_what_no_correct_worker_sends()
    {
        var member = new FakeMember(1);
        Assert.That(ReadFrame(b => new IrcCommandMessage(IrcVerb.Privmsg, ["#lab", "hi there"]).WriteTo(b), member).Kind, Is.EqualTo(IrcEventKind.Command));
        Assert.That(ReadFrame(b => new IrcRegisterMessage("alice", "~alice", "A", null).WriteTo(b), member).Registration.Nick, Is.EqualTo("alice"));

        Assert.Throws<ProtocolException>(() => ReadFrame(b => new IrcCommandMessage(IrcVerb.Privmsg, ["#lab"]).WriteTo(b), member), "too few parameters");
        Assert.Throws<ProtocolException>(() => ReadFrame(b => new IrcCommandMessage(IrcVerb.Privmsg, ["#lab", "a\r\nQUIT"]).WriteTo(b), member), "CR LF injection");
        Assert.Throws<ProtocolException>(() => ReadFrame(b => new IrcCommandMessage(IrcVerb.Kick, ["#lab x", "bob"]).WriteTo(b), member), "a space in a middle parameter");
        Assert.Throws<ProtocolException>(() => ReadFrame(b => new IrcCommandMessage(IrcVerb.Nick, ["bad!nick"]).WriteTo(b), member), "a bad nick");
        Assert.Throws<ProtocolException>(() => ReadFrame(b => new IrcRegisterMessage("alice", "ro@t", "A", null).WriteTo(b), member), "an unclean user");
        Assert.Throws<ProtocolException>(() => ReadFrame(b => b.WriteFrame(FrameType.IrcCommand, [200, 0]), member), "an unknown verb");
    }

    private static IrcEvent ReadFrame(Action<FrameBuffer> write, IIrcMember member)
    {
        var buffer = new FrameBuffer();
        write(buffer);
        var decoder = new FrameDecoder(64 * 1024, FrameTypes.IsFromWorker, initialCapacity: 16);
        decoder.Append(buffer.WrittenSpan);
        Assert.That(decoder.TryReadFrame(out var frame), Is.True);
        return IrcFrameReader.ToEvent(frame, member);
    }

    private static FakeMember Register(IrcServer server, long id, string nick, string? password = null)
    {
        var member = new FakeMember(id);
        server.Process(new IrcEvent(IrcEventKind.Register, member, Registration: new IrcRegisterMessage(nick, "~" + nick.ToLowerInvariant().Trim('[', '{'), nick, password)));
        return member;
    }

    private static void Command(IrcServer server, FakeMember member, IrcVerb verb, params string[] parameters) =>
        server.Process(new IrcEvent(IrcEventKind.Command, member, Command: new IrcCommandMessage(verb, parameters)));

    private sealed class FakeMember : IIrcMember
    {
        private long _lastSequence;

        public FakeMember(long id)
        {
            Id = id;
        }

        public long Id { get; }

        public int WorkerProcessId => 4200 + (int)Id;

        public string Host => "127.0.0.1";

        public List<string> Lines { get; } = [];

        public List<string> Nicks { get; } = [];

        public List<string> Closes { get; } = [];

        public int Flushes { get; private set; }

        public int Drops { get; private set; }

        public bool Full { get; set; }

        public bool Deliver(long sequence, ReadOnlySpan<byte> utf8Line)
        {
            Assert.That(sequence, Is.GreaterThan(_lastSequence), "lines are numbered in order");
            _lastSequence = sequence;
            if (Full)
            {
                return false;
            }

            Lines.Add(Encoding.UTF8.GetString(utf8Line));
            return true;
        }

        public bool SendNick(string nick)
        {
            Nicks.Add(nick);
            return true;
        }

        public bool SendClose(string reason)
        {
            Closes.Add(reason);
            return true;
        }

        public void Flush() => Flushes++;

        public void Drop(string reason) => Drops++;
    }
}

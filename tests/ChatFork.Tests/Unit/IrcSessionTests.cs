using System.Diagnostics.CodeAnalysis;
using System.Text;
using ChatFork.Irc;
using ChatFork.Protocol;
using ChatFork.Sessions;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>The worker's half of IRC mode, without a process: registration, CAP, local replies, flood and ping.</summary>
public sealed class IrcSessionTests
{
    private static IrcWorkerSettings Settings(int burst) => new("srv", TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(60), burst, 1);

    [Test]
    public void Registration_waits_for_NICK_USER_and_CAP_END_then_asks_the_server_once()
    {
        var r = new IrcRegistration();
        r.OnCapStart();
        Assert.That(r.OnPass("pw"), Is.True);
        Assert.That(r.OnNick("alice"), Is.EqualTo(IrcRegistrationStep.None));
        Assert.That(r.OnUser("~alice", "Alice"), Is.EqualTo(IrcRegistrationStep.None), "CAP negotiation is open");
        Assert.That(r.OnCapEnd(), Is.EqualTo(IrcRegistrationStep.Register));
        Assert.That(r.State, Is.EqualTo(IrcRegistrationState.Registering));
        Assert.That(r.OnNick("alice2"), Is.EqualTo(IrcRegistrationStep.Register), "a new NICK while the server decides asks again");
        r.Registered("alice2");
        Assert.That(r.ClientName, Is.EqualTo("alice2"));
        Assert.That(r.OnUser("~x", "X"), Is.EqualTo(IrcRegistrationStep.AlreadyRegistered));
        Assert.That(r.OnPass("again"), Is.False);
        Assert.That(r.OnCapEnd(), Is.EqualTo(IrcRegistrationStep.None));
    }

    [Test]
    public void Without_CAP_the_registration_goes_as_soon_as_NICK_and_USER_are_both_there_in_either_order()
    {
        var r = new IrcRegistration();
        Assert.That(r.OnUser("~bob", "Bob"), Is.EqualTo(IrcRegistrationStep.None));
        Assert.That(r.ClientName, Is.EqualTo("*"));
        Assert.That(r.OnNick("bob"), Is.EqualTo(IrcRegistrationStep.Register));
    }

    [Test]
    public void The_session_sends_a_register_frame_with_the_password_and_answers_commands_before_it_with_451()
    {
        var (session, client, link, _) = Create();
        Feed(session, "JOIN #lab", "CAP LS 302", "PASS sekrit", "NICK alice", "USER alice 0 * :Alice A");
        Assert.That(client.Lines, Is.EqualTo(new[] { ":srv 451 * :You have not registered", ":srv CAP * LS :" }));
        Assert.That(link.Registers, Is.Empty, "CAP LS holds registration");
        Feed(session, "CAP END");
        Assert.That(link.Registers, Is.EqualTo(new[] { new IrcRegisterMessage("alice", "~alice", "Alice A", "sekrit") }));

        Feed(session, "JOIN #lab");
        Assert.That(link.Commands.Single().Verb, Is.EqualTo(IrcVerb.Join), "while the server decides, commands go on to it in order");
        session.OnServerNick("alice");
        Feed(session, "privmsg #lab :hi", "WHOIS srv alice");
        Assert.That(link.Commands.Skip(1).Select(c => (c.Verb, string.Join('|', c.Params))),
            Is.EqualTo(new[] { (IrcVerb.Privmsg, "#lab|hi"), (IrcVerb.Whois, "srv|alice") }));
    }

    [Test]
    public void Local_errors_are_answered_by_the_worker_with_the_right_numerics()
    {
        var (session, client, link, _) = Create();
        Feed(session, "NICK alice", "USER a 0 * :A");
        session.OnServerNick("alice");
        client.Lines.Clear();
        Feed(session, "PRIVMSG", "PRIVMSG #lab", "NOTICE", "NOTICE bob", "BOGUS", "JOIN", "USER x 0 * :x", "NICK 1x", "NICK", "PING", "PING :tok", "WHOIS");
        Assert.That(client.Lines, Is.EqualTo(new[]
        {
            ":srv 411 alice :No recipient given (PRIVMSG)",
            ":srv 412 alice :No text to send",
            ":srv 421 alice BOGUS :Unknown command",
            ":srv 461 alice JOIN :Not enough parameters",
            ":srv 462 alice :You may not reregister",
            ":srv 432 alice 1x :Erroneous nickname",
            ":srv 431 alice :No nickname given",
            ":srv 409 alice :No origin specified",
            ":srv PONG srv tok",
            ":srv 431 alice :No nickname given",
        }));
        Assert.That(link.Commands, Is.Empty, "nothing broken reaches the server");
    }

    [Test]
    public void A_line_over_512_bytes_is_answered_with_417_and_dropped()
    {
        var (session, client, link, _) = Create();
        Feed(session, "NICK alice", "USER a 0 * :A");
        session.OnServerNick("alice");
        Feed(session, "PRIVMSG #lab :" + new string('x', 600));
        Assert.That(client.Lines[^1], Is.EqualTo(":srv 417 alice :Input line was too long"));
        Assert.That(link.Commands, Is.Empty);
    }

    [Test]
    public void Quit_ends_the_session_with_its_reason_and_an_ERROR_line()
    {
        var (session, _, _, control) = Create();
        Assert.Throws<SessionEndedForTest>(() => Feed(session, "QUIT :see you"));
        Assert.That(control.Ended, Is.EqualTo((LeaveReason.Quit, "see you", "ERROR :Closing Link: 10.0.0.9 (Quit: see you)")));
    }

    [Test]
    public void More_lines_than_the_burst_at_once_end_the_session_for_Excess_Flood()
    {
        var now = 0L;
        var (session, _, _, control) = Create(() => now, burst: 5);
        Feed(session, "PING :1", "PING :2", "PING :3", "PING :4", "PING :5");
        now += 2000; // two more tokens
        Feed(session, "PING :6", "PING :7");
        Assert.Throws<SessionEndedForTest>(() => Feed(session, "PING :8"));
        Assert.That(control.Ended?.Detail, Is.EqualTo("Excess Flood"));
        Assert.That(control.Ended?.LastLine, Is.EqualTo("ERROR :Closing Link: 10.0.0.9 (Excess Flood)"));
    }

    [Test]
    public void The_flood_bucket_refills_at_its_rate_up_to_its_burst()
    {
        var bucket = new IrcFloodBucket(3, 2, 0);
        Assert.That(Enumerable.Range(0, 3).All(_ => bucket.TryTake(0)), Is.True);
        Assert.That(bucket.TryTake(0), Is.False);
        Assert.That(bucket.TryTake(500), Is.True, "2 lines a second: one back after 500 ms");
        Assert.That(bucket.TryTake(500), Is.False);
        Assert.That(bucket.TryTake(100_000) && bucket.TryTake(100_000) && bucket.TryTake(100_000), Is.True);
        Assert.That(bucket.TryTake(100_000), Is.False, "never more than the burst");
    }

    [Test]
    public void The_ping_timer_pings_after_the_interval_and_times_out_after_the_timeout()
    {
        var timer = new IrcPingTimer(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), 0);
        Assert.That(timer.Due(9_999), Is.EqualTo(IrcPingAction.None));
        Assert.That(timer.WaitFrom(0), Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(timer.Due(10_000), Is.EqualTo(IrcPingAction.SendPing));
        Assert.That(timer.Due(12_000), Is.EqualTo(IrcPingAction.None), "one PING, not one per wake-up");
        Assert.That(timer.WaitFrom(12_000), Is.EqualTo(TimeSpan.FromSeconds(3)));
        Assert.That(timer.Due(15_000), Is.EqualTo(IrcPingAction.TimedOut));
        timer.Heard(15_000);
        Assert.That(timer.Due(20_000), Is.EqualTo(IrcPingAction.None), "any line is a sign of life");
        Assert.That(timer.TotalSeconds, Is.EqualTo(15));
    }

    [Test]
    public void Text_protocol_last_lines_become_ERROR_closing_links()
    {
        var (session, _, _, _) = Create();
        Assert.That(session.ClosingLine("* server shutting down"), Is.EqualTo("ERROR :Closing Link: 10.0.0.9 (server shutting down)"));
        Assert.That(session.ClosingLine("ERROR :Closing Link: x (y)"), Is.EqualTo("ERROR :Closing Link: x (y)"));
        Assert.That(session.ClosingLine(null), Is.Null);
    }

    private static void Feed(IrcSession session, params string[] lines)
    {
        foreach (var line in lines)
        {
            session.OnLine(Encoding.UTF8.GetBytes(line + "\r\n"));
        }

        session.OnBatchEnd();
    }

    private static (IrcSession, FakeClient, FakeLink, FakeControl) Create(Func<long>? clock = null, int burst = 100)
    {
        var client = new FakeClient();
        var link = new FakeLink();
        var control = new FakeControl();
        return (new IrcSession(control, client, link, Settings(burst), "10.0.0.9", clock ?? (() => 0)), client, link, control);
    }

    private sealed class SessionEndedForTest : Exception;

    private sealed class FakeControl : ISessionControl
    {
        public (LeaveReason Reason, string Detail, string? LastLine)? Ended { get; private set; }

        [DoesNotReturn]
        public void EndSession(LeaveReason reason, string detail, string? lastLine)
        {
            Ended = (reason, detail, lastLine);
            throw new SessionEndedForTest();
        }

        [DoesNotReturn]
        public void EndTooSlow() => throw new SessionEndedForTest();

        [DoesNotReturn]
        public void EndRoomGone() => throw new SessionEndedForTest();
    }

    private sealed class FakeClient : IClientOutput
    {
        public List<string> Lines { get; } = [];

        public bool AppendLine(ReadOnlySpan<byte> utf8Line) => AppendLine(Encoding.UTF8.GetString(utf8Line));

        public bool AppendLine(string line)
        {
            Lines.Add(line);
            return true;
        }

        public bool Append(ReadOnlySpan<byte> bytes) => true;

        public void Commit()
        {
        }
    }

    private sealed class FakeLink : IIrcLink
    {
        public List<IrcRegisterMessage> Registers { get; } = [];

        public List<IrcCommandMessage> Commands { get; } = [];

        public void Register(IrcRegisterMessage message) => Registers.Add(message);

        public void Command(IrcCommandMessage message) => Commands.Add(message);

        public bool Flush() => true;
    }
}

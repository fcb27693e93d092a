using System.Text;
using System.Text.RegularExpressions;
using ChatFork.Supervisor.Room;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>
/// The room on its own: fake members that record what the room delivers, no processes, no sockets. The room's state
/// is driven directly (as the loop or the thread model's lock would), and through ChatRoom's loop where order under
/// concurrent posters is the point.
/// </summary>
public sealed partial class RoomTests
{
    [Test]
    public void Every_member_sees_each_line_under_the_same_sequence_number_and_in_the_same_order()
    {
        var (room, members) = RoomWith(4);
        for (var round = 0; round < 5; round++)
        {
            foreach (var m in members)
            {
                Say(room, m, $"line {round} from {m.Id}");
            }
        }

        // Every chat line reached the three others, under one sequence number.
        var chat = members.SelectMany(m => m.Received.Where(r => r.Line.StartsWith('<')).Select(r => (Receiver: m.Id, r.Sequence, r.Line))).ToList();
        Assert.That(chat, Has.Count.EqualTo(5 * 4 * 3));
        foreach (var line in chat.GroupBy(c => c.Line))
        {
            Assert.That(line.Count(), Is.EqualTo(3), $"'{line.Key}' should reach the three others");
            Assert.That(line.Select(c => c.Sequence).Distinct().Count(), Is.EqualTo(1), $"'{line.Key}' went out under more than one sequence number");
        }

        // Each member's deliveries are numbered strictly upwards, and any two members saw the lines they share in one order.
        foreach (var m in members)
        {
            var sequences = m.Received.Select(r => r.Sequence).ToList();
            Assert.That(sequences, Is.Ordered.Ascending.And.Unique, $"member {m.Id}'s sequence numbers");
        }

        for (var a = 0; a < members.Length; a++)
        {
            for (var b = a + 1; b < members.Length; b++)
            {
                var common = members[a].ChatLines().Intersect(members[b].ChatLines()).ToHashSet();
                Assert.That(members[a].ChatLines().Where(common.Contains), Is.EqualTo(members[b].ChatLines().Where(common.Contains)),
                    $"members {members[a].Id} and {members[b].Id} saw the lines they share in different orders");
            }
        }
    }

    [Test]
    public async Task Lines_posted_from_many_threads_at_once_reach_everyone_in_one_order_through_the_loop()
    {
        const int perMember = 300;
        var room = new ChatRoom(new FixedTable([]), capacity: 64);
        var members = Enumerable.Range(1, 4).Select(i => new FakeMember(i)).ToArray();
        var loop = room.RunAsync();
        foreach (var m in members)
        {
            await room.PostAsync(new RoomEvent(RoomEventKind.Joined, m));
        }

        await Task.WhenAll(members.Select(m => Task.Run(async () =>
        {
            for (var i = 0; i < perMember; i++)
            {
                await room.PostAsync(RoomEvent.ChatLine(RoomEventKind.Said, m, $"{m.Id}:{i}"));
            }
        })));
        room.Complete();
        await loop.WaitAsync(TimeSpan.FromSeconds(30));

        var orders = members.Select(m => m.ChatLines()).ToArray();
        for (var a = 0; a < members.Length; a++)
        {
            // Each sender's own lines arrive at the others in the order it sent them, all of them.
            foreach (var sender in members.Where(s => s != members[a]))
            {
                var fromSender = orders[a].Where(l => l.StartsWith($"<guest-{sender.Id}> ", StringComparison.Ordinal)).ToList();
                Assert.That(fromSender, Is.EqualTo(Enumerable.Range(0, perMember).Select(i => $"<guest-{sender.Id}> {sender.Id}:{i}")));
            }

            for (var b = a + 1; b < members.Length; b++)
            {
                var common = orders[a].Intersect(orders[b]).ToHashSet();
                Assert.That(orders[a].Where(common.Contains), Is.EqualTo(orders[b].Where(common.Contains)),
                    $"members {members[a].Id} and {members[b].Id} saw the lines they share in different orders");
            }
        }

        var sequencesPerLine = members.SelectMany(m => m.Received).Where(r => ChatLine().IsMatch(r.Line)).GroupBy(r => r.Line);
        Assert.That(sequencesPerLine.Where(g => g.Select(r => r.Sequence).Distinct().Count() != 1).Select(g => g.Key), Is.Empty,
            "a line went out under more than one sequence number");
        Assert.That(members.Select(m => m.Drops), Is.All.Empty);
    }

    [Test]
    public void A_member_whose_queue_is_full_is_dropped_once_and_the_others_are_not_affected()
    {
        var room = new RoomState(new FixedTable([]), _ => { });
        var alice = new FakeMember(1);
        var bob = new FakeMember(2);
        var full = new FakeMember(3, capacity: 2); // exactly its two join lines fit
        Join(room, alice);
        Join(room, bob);
        Join(room, full);

        Say(room, alice, "first");
        Say(room, alice, "second");
        Say(room, bob, "third");

        Assert.That(full.Drops, Has.Count.EqualTo(1), "the full member should be dropped exactly once");
        Assert.That(full.Drops[0], Does.Contain("--worker-queue"));
        Assert.That(full.Attempts, Is.EqualTo(3), "after the drop the room should stop delivering to it");
        Assert.That(bob.ChatLines(), Is.EqualTo(new[] { "<guest-1> first", "<guest-1> second" }));
        Assert.That(alice.ChatLines(), Is.EqualTo(new[] { "<guest-2> third" }));
        Assert.That(alice.Drops.Concat(bob.Drops), Is.Empty);

        // Its leave arrives later, as for any other member, and the others hear of it.
        room.Handle(new RoomEvent(RoomEventKind.Left, full, Text: "too slow"));
        Assert.That(alice.Lines().Last(), Is.EqualTo("* guest-3 left (too slow)"));
        Assert.That(bob.Lines().Last(), Is.EqualTo("* guest-3 left (too slow)"));
    }

    [Test]
    public void A_member_is_flushed_once_per_batch_however_many_lines_it_was_given()
    {
        var room = new RoomState(new FixedTable([]), _ => { });
        var alice = new FakeMember(1);
        var bob = new FakeMember(2);
        Join(room, alice);
        Join(room, bob);
        var before = bob.Flushes;

        foreach (var text in new[] { "one", "two", "three" })
        {
            room.Handle(RoomEvent.ChatLine(RoomEventKind.Said, alice, text));
        }

        Assert.That(bob.Flushes, Is.EqualTo(before), "nothing is sent before the batch ends");
        room.FlushDirty();
        room.FlushDirty();
        Assert.That(bob.Flushes, Is.EqualTo(before + 1));
        Assert.That(bob.ChatLines(), Is.EqualTo(new[] { "<guest-1> one", "<guest-1> two", "<guest-1> three" }));
    }

    [Test]
    public void Joining_tells_the_newcomer_its_nick_and_who_is_here_and_tells_the_others_it_came()
    {
        var room = new RoomState(new FixedTable([]), _ => { });
        var alice = new FakeMember(1);
        var bob = new FakeMember(2);

        Join(room, alice);
        Assert.That(alice.Lines(), Is.EqualTo(new[]
        {
            "* you are guest-1; /nick NAME chooses another",
            "* nobody else is here yet; /help lists the commands",
        }));

        Join(room, bob);
        Assert.That(bob.Lines(), Is.EqualTo(new[]
        {
            "* you are guest-2; /nick NAME chooses another",
            "* here now: guest-1 (1 other); /help lists the commands",
        }));
        Assert.That(alice.Lines().Last(), Is.EqualTo("* guest-2 joined (fake 2)"));
    }

    [Test]
    public void Above_the_announce_limit_joins_and_leaves_are_not_announced_and_a_newcomer_gets_the_count_not_the_names()
    {
        var room = new RoomState(new FixedTable([]), _ => { }) { AnnounceLimit = 3 };
        var members = Enumerable.Range(1, 5).Select(i => new FakeMember(i)).ToArray();
        foreach (var member in members)
        {
            Join(room, member);
        }

        // Up to three people: announced, names listed. The fourth and fifth: neither.
        Assert.That(members[0].Lines(), Is.EqualTo(new[]
        {
            "* you are guest-1; /nick NAME chooses another",
            "* nobody else is here yet; /help lists the commands",
            "* guest-2 joined (fake 2)",
            "* guest-3 joined (fake 3)",
        }));
        Assert.That(members[2].Lines()[1], Is.EqualTo("* here now: guest-1, guest-2 (2 others); /help lists the commands"));
        Assert.That(members[4].Lines()[1], Is.EqualTo(
            "* here now: 4 others (above 3 people, joins and leaves are not announced; /who lists everyone); /help lists the commands"));

        // A leave from a room of five is not announced; from a room of three it is again. Chat goes to everyone.
        room.Handle(new RoomEvent(RoomEventKind.Left, members[4], Text: "quit"));
        room.Handle(new RoomEvent(RoomEventKind.Left, members[3], Text: "quit"));
        Assert.That(members[0].Lines(), Has.None.Contains(" left ("));
        room.Handle(new RoomEvent(RoomEventKind.Left, members[2], Text: "quit"));
        Assert.That(members[0].Lines().Last(), Is.EqualTo("* guest-3 left (quit)"));
        Say(room, members[1], "still here");
        Assert.That(members[0].Lines().Last(), Is.EqualTo("<guest-2> still here"));
    }

    [Test]
    public void Leaving_tells_the_others_how_and_frees_the_nick()
    {
        var (room, members) = RoomWith(3);
        var (alice, bob, carol) = (members[0], members[1], members[2]);
        Nick(room, bob, "bob");

        room.Handle(new RoomEvent(RoomEventKind.Left, bob, Text: "quit; worker 42 exited"));
        Assert.That(alice.Lines().Last(), Is.EqualTo("* bob left (quit; worker 42 exited)"));
        Assert.That(carol.Lines().Last(), Is.EqualTo("* bob left (quit; worker 42 exited)"));
        var bobHeard = bob.Received.Count;

        // Whatever it had in flight is ignored, and its nick can be taken again.
        Say(room, bob, "a late line");
        Nick(room, carol, "BOB");
        Assert.That(bob.Received, Has.Count.EqualTo(bobHeard));
        Assert.That(alice.Lines(), Does.Not.Contain("<bob> a late line"));
        Assert.That(alice.Lines().Last(), Is.EqualTo("* guest-3 is now known as BOB"));
    }

    [Test]
    public void A_nick_that_someone_holds_is_refused_whatever_its_case()
    {
        var (room, members) = RoomWith(2);
        var (alice, bob) = (members[0], members[1]);
        Nick(room, alice, "alice");
        Assert.That(bob.Lines().Last(), Is.EqualTo("* guest-1 is now known as alice"));
        Assert.That(alice.Lines().Last(), Is.EqualTo("* guest-1 is now known as alice"), "the one renamed hears it too");

        Nick(room, bob, "ALICE");
        Assert.That(bob.Lines().Last(), Is.EqualTo("* the nick alice is taken; choose another"));
        Assert.That(alice.Lines().Last(), Is.EqualTo("* guest-1 is now known as alice"), "alice hears nothing of it");

        Say(room, bob, "still me");
        Assert.That(alice.Lines().Last(), Is.EqualTo("<guest-2> still me"));
    }

    [TestCase("", "a nick cannot be empty")]
    [TestCase("9lives", "a nick must start with a letter")]
    [TestCase("two words", "a nick may hold only letters, digits, - and _")]
    [TestCase("abcdefghijklmnopq", "a nick may be at most 16 characters long")]
    public void An_invalid_nick_is_refused_with_the_reason_and_nobody_else_hears_of_it(string nick, string reason)
    {
        var (room, members) = RoomWith(2);
        var (alice, bob) = (members[0], members[1]);
        var bobHeard = bob.Received.Count;

        Nick(room, alice, nick);
        Assert.That(alice.Lines().Last(), Is.EqualTo($"* cannot take nick \"{nick}\": {reason}"));
        Assert.That(bob.Received, Has.Count.EqualTo(bobHeard));
        Say(room, alice, "hello");
        Assert.That(bob.Lines().Last(), Is.EqualTo("<guest-1> hello"));
    }

    [Test]
    public void Taking_the_nick_one_already_has_changes_nothing_and_says_so()
    {
        var (room, members) = RoomWith(2);
        var (alice, bob) = (members[0], members[1]);
        Nick(room, alice, "alice");
        var bobHeard = bob.Received.Count;

        Nick(room, alice, "alice");
        Assert.That(alice.Lines().Last(), Is.EqualTo("* you are alice already"));
        Assert.That(bob.Received, Has.Count.EqualTo(bobHeard));
    }

    [Test]
    public void Who_lists_everyone_in_joining_order_with_who_serves_them_and_marks_the_asker()
    {
        var (room, members) = RoomWith(3);
        Nick(room, members[1], "bob");
        var before = members[1].Received.Count;
        var othersHeard = members[0].Received.Count + members[2].Received.Count;

        room.Handle(new RoomEvent(RoomEventKind.WhoRequested, members[1]));
        var who = members[1].Lines().Skip(before).ToList();

        Assert.That(who, Has.Count.EqualTo(4));
        Assert.That(who[0], Is.EqualTo("* 3 here:"));
        Assert.That(who[1], Does.Match(@"^\*   guest-1  fake 1  since \d\d:\d\d:\d\d  from 127\.0\.0\.1:40001$"));
        Assert.That(who[2], Does.Match(@"^\*   bob      fake 2  since \d\d:\d\d:\d\d  from 127\.0\.0\.1:40002  \(you\)$"));
        Assert.That(who[3], Does.Match(@"^\*   guest-3  fake 3  since \d\d:\d\d:\d\d  from 127\.0\.0\.1:40003$"));
        Assert.That(members[0].Received.Count + members[2].Received.Count, Is.EqualTo(othersHeard), "only the asker gets the list");
    }

    [Test]
    public void A_whisper_reaches_only_its_target_and_the_sender_sees_what_went_out()
    {
        var (room, members) = RoomWith(3);
        var (alice, bob, carol) = (members[0], members[1], members[2]);
        Nick(room, alice, "alice");
        Nick(room, bob, "bob");
        var carolHeard = carol.Received.Count;

        room.Handle(new RoomEvent(RoomEventKind.Whispered, alice, Text: "psst", Target: "BOB"));
        Assert.That(bob.Lines().Last(), Is.EqualTo("*alice* psst"));
        Assert.That(alice.Lines().Last(), Is.EqualTo("-> *bob* psst"));
        Assert.That(carol.Received, Has.Count.EqualTo(carolHeard));

        room.Handle(new RoomEvent(RoomEventKind.Whispered, alice, Text: "hello?", Target: "nobody"));
        Assert.That(alice.Lines().Last(), Is.EqualTo("* no such nick: nobody"));
    }

    [Test]
    public async Task The_process_table_is_rendered_off_the_room_and_its_lines_come_back_through_the_post_back()
    {
        var table = new FixedTable(["* PID  ROLE", "* 1 process"]);
        var postedBack = new TaskCompletionSource<RoomEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var room = new RoomState(table, e => postedBack.TrySetResult(e));
        var alice = new FakeMember(1);
        var bob = new FakeMember(2);
        Join(room, alice);
        Join(room, bob);
        Nick(room, bob, "bob");
        var before = bob.Received.Count;

        room.Handle(new RoomEvent(RoomEventKind.PsRequested, bob));
        var reply = await postedBack.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(bob.Received, Has.Count.EqualTo(before), "nothing is delivered until the reply is handled");
        Assert.That(table.AskedWith, Is.EqualTo(new Dictionary<long, string> { [1] = "guest-1", [2] = "bob" }));
        Assert.That(reply.Kind, Is.EqualTo(RoomEventKind.Deliver));
        room.Handle(reply);
        Assert.That(bob.Lines().Skip(before), Is.EqualTo(new[] { "* PID  ROLE", "* 1 process" }));
        Assert.That(alice.Lines(), Does.Not.Contain("* 1 process"));
    }

    private static (RoomState Room, FakeMember[] Members) RoomWith(int count)
    {
        var room = new RoomState(new FixedTable([]), _ => { });
        var members = Enumerable.Range(1, count).Select(i => new FakeMember(i)).ToArray();
        foreach (var m in members)
        {
            Join(room, m);
        }

        return (room, members);
    }

    private static void Join(RoomState room, FakeMember member) => Batch(room, new RoomEvent(RoomEventKind.Joined, member));

    private static void Say(RoomState room, FakeMember member, string text) => Batch(room, RoomEvent.ChatLine(RoomEventKind.Said, member, text));

    private static void Nick(RoomState room, FakeMember member, string nick) => Batch(room, new RoomEvent(RoomEventKind.NickRequested, member, Text: nick));

    private static void Batch(RoomState room, RoomEvent e)
    {
        room.Handle(e);
        room.FlushDirty();
    }

    /// <summary>A member that keeps every line the room gives it, up to an optional capacity.</summary>
    private sealed class FakeMember : IRoomMember
    {
        private readonly int _capacity;
        private readonly Lock _lock = new();

        public FakeMember(long id, int capacity = int.MaxValue)
        {
            Id = id;
            _capacity = capacity;
        }

        public long Id { get; }

        public string ServedBy => $"fake member {Id}";

        public string ServedByShort => $"fake {Id}";

        public string PeerEndPoint => $"127.0.0.1:{40000 + Id}";

        public List<(long Sequence, string Line)> Received { get; } = [];

        public List<string> Drops { get; } = [];

        public int Attempts { get; private set; }

        public int Flushes { get; private set; }

        public bool Deliver(long sequence, ReadOnlySpan<byte> utf8Line)
        {
            lock (_lock)
            {
                Attempts++;
                if (Received.Count >= _capacity)
                {
                    return false;
                }

                Received.Add((sequence, Encoding.UTF8.GetString(utf8Line)));
                return true;
            }
        }

        public void Flush() => Flushes++;

        public void Drop(string reason) => Drops.Add(reason);

        public List<string> Lines() => [.. Received.Select(r => r.Line)];

        public List<string> ChatLines() => [.. Received.Select(r => r.Line).Where(l => ChatLine().IsMatch(l))];
    }

    /// <summary>A /ps table with fixed lines, that remembers the nicks it was asked with.</summary>
    private sealed class FixedTable(IReadOnlyList<string> lines) : IProcessTable
    {
        public IReadOnlyDictionary<long, string>? AskedWith { get; private set; }

        public IReadOnlyList<string> Render(IReadOnlyDictionary<long, string> nicksByMemberId)
        {
            AskedWith = nicksByMemberId;
            return lines;
        }
    }

    [GeneratedRegex(@"^<[^>]+> ")]
    private static partial Regex ChatLine();
}

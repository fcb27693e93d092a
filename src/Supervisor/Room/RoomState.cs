using System.Globalization;
using ChatFork.Text;
using NLog;

namespace ChatFork.Supervisor.Room;

/// <summary>
/// The chat room's state: who is here under which nick, and the one order in which lines happen. It is synchronous
/// and not thread-safe: whoever drives it makes sure one event is handled at a time, and so every line gets its
/// sequence number in one place: since each member's queue is first-in first-out, every client sees the others'
/// lines in the same order. <see cref="ChatRoom"/> drives it from a single loop (the process model, the async model);
/// the lab's thread model drives it under one lock (LockedRoom).
/// </summary>
/// <remarks>
/// It never blocks on a member. It appends to members' queues (bounded; a member whose queue is full is dropped, not
/// waited for); the driver calls <see cref="FlushDirty"/> after each batch of events, so a burst of lines reaches each
/// member in one write. Anything slow (reading /proc for /ps) happens off the driver's thread, and its result comes
/// back as an event through the postBack the driver gave.
/// </remarks>
internal sealed partial class RoomState
{
    private static readonly Logger s_log = LogManager.GetLogger("room");

    private readonly IProcessTable _processTable;
    private readonly Action<RoomEvent> _postBack;
    private readonly Dictionary<long, Occupant> _members = [];
    private readonly Dictionary<string, Occupant> _byNick = new(NickRules.Comparer);
    private readonly List<Occupant> _dirty = [];
    private readonly LineFormatter _format = new();
    private long _sequence;

    /// <param name="processTable">Renders /ps, off the driver's thread.</param>
    /// <param name="postBack">
    /// How an event computed off the driver's thread (the /ps table's lines) gets back to it: posted to the loop's
    /// channel, or handled under the lock. Called from a thread-pool thread; must not lose the event.
    /// </param>
    public RoomState(IProcessTable processTable, Action<RoomEvent> postBack)
    {
        _processTable = processTable;
        _postBack = postBack;
    }

    /// <summary>Acts on one event, then releases it (its rented line goes back to the pool). Never throws.</summary>
    public void Handle(RoomEvent e)
    {
        try
        {
            Act(e);
        }
        catch (Exception ex)
        {
            s_log.Error(ex, $"could not handle {e.Kind} from connection {e.Member.Id}");
        }
        finally
        {
            e.Release();
            e.Handled?.Invoke();
        }
    }

    /// <summary>Asks every member written to since the last call to send what it has queued.</summary>
    public void FlushDirty()
    {
        Ring?.Publish(); // --fanout shm: wake the members that sleep, before their own lines follow on the pipes
        foreach (var member in _dirty)
        {
            member.Dirty = false;
            member.Output.Flush();
        }

        _dirty.Clear();
    }

    private void Act(RoomEvent e)
    {
        // --cluster: shared lines, nicks and presence go through Redis (Cluster/RoomState.Cluster.cs, docs/cluster.md).
        if (Cluster is not null && HandleInCluster(e))
        {
            return;
        }

        if (e.Kind == RoomEventKind.Joined)
        {
            Join(e.Member);
            return;
        }

        if (!_members.TryGetValue(e.Member.Id, out var member))
        {
            // A member joins before its socket leaves the supervisor, so only a member that has left can get here.
            // Never silently: if a line is lost, the log says whose and why.
            if (e.Kind != RoomEventKind.Left)
            {
                s_log.Warn($"{e.Kind} from connection {e.Member.Id} ({e.Member.ServedByShort}) arrived after it left the room; not relayed");
            }

            return;
        }

        switch (e.Kind)
        {
            case RoomEventKind.Said:
                Broadcast(member, _format.Chat("<", member.Nick, "> ", e.Line!.Value));
                break;
            case RoomEventKind.Acted:
                Broadcast(member, _format.Chat("~ ", member.Nick, " ", e.Line!.Value));
                break;
            case RoomEventKind.NickRequested:
                ChangeNick(member, e.Text!);
                break;
            case RoomEventKind.Whispered:
                Whisper(member, e.Target!, e.Text!);
                break;
            case RoomEventKind.WhoRequested:
                Who(member);
                break;
            case RoomEventKind.PsRequested:
                var nicks = _members.Values.ToDictionary(m => m.Output.Id, m => m.Nick);
                _ = Task.Run(() =>
                {
                    IReadOnlyList<string> lines;
                    try
                    {
                        lines = _processTable.Render(nicks);
                    }
                    catch (Exception ex)
                    {
                        s_log.Error(ex, "could not render the process table");
                        lines = ["* the process table could not be read; the supervisor's log says why"];
                    }

                    _postBack(new RoomEvent(RoomEventKind.Deliver, e.Member, Lines: lines));
                });
                break;
            case RoomEventKind.Deliver:
                foreach (var line in e.Lines!)
                {
                    Send(member, line);
                }

                break;
            case RoomEventKind.Left:
                Leave(member, e.Text ?? "left");
                break;
        }
    }

    /// <summary>
    /// The most people in the room for whom a join or a leave is announced to everyone and a newcomer is told every
    /// name (<c>--announce-limit</c>; 0: no limit). Both cost O(people) each, so O(people²) for a room that fills:
    /// 10,000 joins would be 50 million notices and 10,000 lists of up to 10,000 names, gigabytes through the
    /// supervisor before anyone says a word. Above it a newcomer is told the count (and that /who lists everyone).
    /// </summary>
    public int AnnounceLimit { get; set; }

    private bool Announces(int people) => AnnounceLimit == 0 || people <= AnnounceLimit;

    private void Join(IRoomMember output)
    {
        var nick = $"guest-{output.Id}";
        for (var n = 2; _byNick.ContainsKey(nick); n++)
        {
            nick = $"guest-{output.Id}-{n}";
        }

        var othersCount = _members.Count;
        // The names only when they will be listed: building the list is O(people) per join too.
        var others = Announces(othersCount + 1) ? _members.Values.Select(m => m.Nick).ToList() : [];
        var member = new Occupant(output, nick);
        _members.Add(output.Id, member);
        _byNick.Add(nick, member);
        Ring?.Join(output); // before its first line: that line's ring position is where it starts reading

        Send(member, $"* you are {nick}; /nick NAME chooses another");
        Send(member, othersCount == 0
            ? "* nobody else is here yet; /help lists the commands"
            : Announces(_members.Count)
                ? $"* here now: {string.Join(", ", others)} ({othersCount} {(othersCount == 1 ? "other" : "others")}); /help lists the commands"
                : $"* here now: {othersCount} others (above {AnnounceLimit} people, joins and leaves are not announced; /who lists everyone); /help lists the commands");
        if (Announces(_members.Count))
        {
            Broadcast(member, _format.Encode($"* {nick} joined ({output.ServedByShort})"));
        }

        s_log.Info($"{nick} joined: connection {output.Id} from {output.PeerEndPoint}, served by {output.ServedBy}");
    }

    private void Leave(Occupant member, string how)
    {
        var people = _members.Count;
        _members.Remove(member.Output.Id);
        _byNick.Remove(member.Nick);
        Ring?.Leave(member.Output);
        if (Announces(people))
        {
            Broadcast(member, _format.Encode($"* {member.Nick} left ({how})"));
        }

        s_log.Info($"{member.Nick} left ({how})");
    }

    private void ChangeNick(Occupant member, string nick)
    {
        if (NickRules.Check(nick) is { } problem)
        {
            Send(member, $"* cannot take nick \"{nick}\": {problem}");
            return;
        }

        if (_byNick.TryGetValue(nick, out var holder) && holder != member)
        {
            Send(member, $"* the nick {holder.Nick} is taken; choose another");
            return;
        }

        if (nick == member.Nick)
        {
            Send(member, $"* you are {nick} already");
            return;
        }

        var old = member.Nick;
        _byNick.Remove(old);
        member.Rename(nick);
        _byNick.Add(nick, member);
        BroadcastToAll(_format.Encode($"* {old} is now known as {nick}"));
        s_log.Info($"{old} is now known as {nick} ({member.Output.ServedByShort})");
    }

    private void Whisper(Occupant from, string target, string text)
    {
        if (!_byNick.TryGetValue(target, out var to))
        {
            Send(from, $"* no such nick: {target}");
            return;
        }

        Send(to, $"*{from.Nick}* {text}");
        if (to != from)
        {
            Send(from, $"-> *{to.Nick}* {text}");
        }
    }

    private void Who(Occupant asker)
    {
        var members = _members.Values.OrderBy(m => m.Output.Id).ToList();
        Send(asker, $"* {members.Count} here:");
        var nickWidth = members.Max(m => m.Nick.Length);
        var servedWidth = members.Max(m => m.Output.ServedByShort.Length);
        foreach (var m in members)
        {
            var since = m.JoinedAt.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
            var you = m == asker ? "  (you)" : "";
            Send(asker, $"*   {m.Nick.PadRight(nickWidth)}  {m.Output.ServedByShort.PadRight(servedWidth)}  since {since}  from {m.Output.PeerEndPoint}{you}");
        }
    }

    // One line to everyone but its sender, under one sequence number.
    private void Broadcast(Occupant sender, ReadOnlySpan<byte> line)
    {
        var sequence = ++_sequence;
        if (Ring is not null)
        {
            Ring.Write(sequence, sender.Output.Id, line); // once, for everyone; the sender's worker skips it
            return;
        }

        foreach (var member in _members.Values)
        {
            if (member != sender)
            {
                Deliver(member, sequence, line);
            }
        }
    }

    private void BroadcastToAll(ReadOnlySpan<byte> line)
    {
        var sequence = ++_sequence;
        if (Ring is not null)
        {
            Ring.Write(sequence, global::ChatFork.Fanout.RingLayout.NobodyExcluded, line);
            return;
        }

        foreach (var member in _members.Values)
        {
            Deliver(member, sequence, line);
        }
    }

    private void Send(Occupant member, string line) => Deliver(member, ++_sequence, _format.Encode(line));

    private void Deliver(Occupant member, long sequence, ReadOnlySpan<byte> line)
    {
        if (member.Dropped)
        {
            return;
        }

        if (!member.Output.Deliver(sequence, line))
        {
            // Its worker is not reading its pipe. Waiting would stall everyone; cut it off and say so when it leaves.
            member.Dropped = true;
            member.Output.Drop("its worker fell behind on the pipe (--worker-queue)");
            return;
        }

        if (!member.Dirty)
        {
            member.Dirty = true;
            _dirty.Add(member);
        }
    }
}

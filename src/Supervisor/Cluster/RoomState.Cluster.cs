using ChatFork.Supervisor.Cluster;
using ChatFork.Text;

namespace ChatFork.Supervisor.Room;

// The room's side of --cluster (docs/cluster.md), a part of RoomState. Alone, the room is the one place where lines get their order. In a
// cluster that place is the room's Redis stream: a line said here is not broadcast here but appended to the stream,
// and it reaches this host's members, like every other host's, when the stream reader hands it back in the stream's
// order (RoomEventKind.FromCluster). Nicks are claimed in Redis, so the claim of a join or a /nick is an answer that
// comes back later; until it does, what that member does next waits in _held, so its lines follow the claim and
// carry the nick it settled. The loop itself still never waits on anything.
internal sealed partial class RoomState
{
    private readonly Dictionary<long, List<RoomEvent>> _held = [];
    private readonly HashSet<long> _joining = [];

    /// <summary>Set with --cluster: the room then shares its lines, nicks and presence through Redis.</summary>
    public IRoomCluster? Cluster { get; set; }

    // True when the event was handled here; false lets the single-host code handle it.
    private bool HandleInCluster(RoomEvent e)
    {
        var cluster = Cluster!;
        switch (e.Kind)
        {
            case RoomEventKind.FromCluster:
                FromCluster(e.Member, e.Cluster!);
                return true;
            case RoomEventKind.Deliver:
                return false;
            case RoomEventKind.Joined:
                ClusterJoin(e.Member);
                return true;
        }

        if (!_members.TryGetValue(e.Member.Id, out var member))
        {
            return true;
        }

        if (_held.TryGetValue(member.Output.Id, out var held))
        {
            held.Add(Keep(e));
            return true;
        }

        switch (e.Kind)
        {
            case RoomEventKind.Said:
                PublishLine(member, _format.Chat("<", member.Nick, "> ", e.Line!.Value));
                return true;
            case RoomEventKind.Acted:
                PublishLine(member, _format.Chat("~ ", member.Nick, " ", e.Line!.Value));
                return true;
            case RoomEventKind.NickRequested:
                ClusterNick(member, e.Text!);
                return true;
            case RoomEventKind.Whispered:
                if (_byNick.ContainsKey(e.Target!))
                {
                    return false; // on this host: as when alone
                }

                cluster.Whisper(member.Output, member.Nick, e.Target!, e.Text!);
                return true;
            case RoomEventKind.WhoRequested:
                ClusterWho(member.Output);
                return true;
            case RoomEventKind.PsRequested:
                ClusterPs(member.Output);
                return true;
            case RoomEventKind.Left:
                _members.Remove(member.Output.Id);
                _byNick.Remove(member.Nick);
                cluster.Leave(member.Output, e.Text ?? "left");
                s_log.Info($"{member.Nick} left ({e.Text ?? "left"})");
                return true;
            default:
                return false;
        }
    }

    private void ClusterJoin(IRoomMember output)
    {
        var member = new Occupant(output, $"guest-{output.Id}");
        _members.Add(output.Id, member);
        _joining.Add(output.Id);
        _held[output.Id] = [];
        Cluster!.ClaimGuest(output, member.Nick);
        if (!Cluster.Reachable)
        {
            Send(member, "* the cluster's Redis cannot be reached now: you join the room when it is back");
        }
    }

    private void ClusterNick(Occupant member, string nick)
    {
        if (NickRules.Check(nick) is { } problem)
        {
            Send(member, $"* cannot take nick \"{nick}\": {problem}");
            return;
        }

        if (nick == member.Nick)
        {
            Send(member, $"* you are {nick} already");
            return;
        }

        if (_byNick.TryGetValue(nick, out var holder) && holder != member)
        {
            Send(member, $"* the nick {holder.Nick} is taken; choose another");
            return;
        }

        _held[member.Output.Id] = [];
        Cluster!.Rename(member.Output, member.Nick, nick);
    }

    private void PublishLine(Occupant member, ReadOnlySpan<byte> line)
    {
        if (!Cluster!.Publish(member.Output, ClusterAudience.Others, line))
        {
            Send(member, $"* your line was not sent: {Cluster.Hold} lines already wait for Redis here (--cluster-hold); say it again when Redis is back");
        }
    }

    private void FromCluster(IRoomMember who, ClusterEvent c)
    {
        if (c.Kind == ClusterEventKind.Line)
        {
            DeliverEntry(c);
            return;
        }

        if (c.Kind == ClusterEventKind.Notice)
        {
            // Joining members too: a join waits for Redis, and they should know why.
            var sequence = ++_sequence;
            var line = _format.Encode(c.Text!).ToArray();
            foreach (var m in _members.Values)
            {
                Deliver(m, sequence, line);
            }

            return;
        }

        if (c.Kind == ClusterEventKind.Forgotten)
        {
            var joined = _members.Values.Where(m => !_joining.Contains(m.Output.Id)).Select(m => (m.Output, m.Nick)).ToList();
            Cluster!.Reclaim(joined);
            return;
        }

        if (!_members.TryGetValue(who.Id, out var member))
        {
            return;
        }

        switch (c.Kind)
        {
            case ClusterEventKind.Claimed:
                SetNick(member, c.Text!);
                _joining.Remove(member.Output.Id);
                var others = c.Nicks!;
                Send(member, $"* you are {member.Nick}; /nick NAME chooses another");
                Send(member, others.Count == 0
                    ? "* nobody else is here yet; /help lists the commands"
                    : $"* here now: {string.Join(", ", others)} ({others.Count} {(others.Count == 1 ? "other" : "others")}); /help lists the commands");
                s_log.Info($"{member.Nick} joined: connection {who.Id} from {who.PeerEndPoint}, served by {who.ServedBy}, on {Cluster!.Node}");
                Release(member);
                break;
            case ClusterEventKind.Renamed:
                var old = member.Nick;
                SetNick(member, c.Text!);
                s_log.Info($"{old} is now known as {member.Nick} ({who.ServedByShort})");
                Release(member);
                break;
            case ClusterEventKind.NickTaken:
                Send(member, $"* the nick {c.Text} is taken; choose another");
                Release(member);
                break;
            case ClusterEventKind.Whispered:
                Send(member, c.Text is null ? $"* no such nick: {c.Target}" : $"-> *{c.Target}* {c.Text}");
                break;
            case ClusterEventKind.Displaced:
                var was = member.Nick;
                SetNick(member, c.Text!);
                Send(member, $"* your nick {was} was taken on another server while this one was cut off from Redis; you are {member.Nick} now");
                break;
        }
    }

    private void SetNick(Occupant member, string nick)
    {
        if (_byNick.TryGetValue(member.Nick, out var holder) && holder == member)
        {
            _byNick.Remove(member.Nick);
        }

        member.Rename(nick);
        _byNick[nick] = member;
    }

    // One stream entry to this host's members, under one sequence number, as Broadcast does for a single host.
    private void DeliverEntry(ClusterEvent c)
    {
        var sequence = ++_sequence;
        if (c.Audience == ClusterAudience.One)
        {
            if (_byNick.TryGetValue(c.Target!, out var to) && !_joining.Contains(to.Output.Id))
            {
                Deliver(to, sequence, c.Line);
            }

            return;
        }

        var fromHere = c.Audience == ClusterAudience.Others && c.Node == Cluster!.Node;
        foreach (var member in _members.Values)
        {
            if ((fromHere && member.Output.Id == c.MemberId) || (_joining.Count > 0 && _joining.Contains(member.Output.Id)))
            {
                continue;
            }

            Deliver(member, sequence, c.Line);
        }
    }

    // Replays, in order, what a member did while its claim was in flight.
    private void Release(Occupant member)
    {
        if (_held.Remove(member.Output.Id, out var held))
        {
            foreach (var e in held)
            {
                Handle(e);
            }
        }
    }

    // Handle() gives a chat line's buffer back to the pool once the event is handled; a held event needs its own.
    private static RoomEvent Keep(RoomEvent e) =>
        e.Line is { } line ? e with { Line = RentedLine.Copy(line.Text) } : e;

    private void ClusterWho(IRoomMember asker)
    {
        var cluster = Cluster!;
        _ = Task.Run(async () =>
        {
            IReadOnlyList<string> lines;
            try
            {
                lines = await cluster.WhoAsync(asker);
            }
            catch (Exception ex)
            {
                s_log.Warn($"/who could not read the cluster's members from Redis: {ex.Message}");
                lines = ["* the cluster's member list lives in Redis, which cannot be reached now; try again when it is back"];
            }

            _postBack(new RoomEvent(RoomEventKind.Deliver, asker, Lines: lines));
        });
    }

    private void ClusterPs(IRoomMember asker)
    {
        var cluster = Cluster!;
        var nicks = _members.Values.ToDictionary(m => m.Output.Id, m => m.Nick);
        _ = Task.Run(async () =>
        {
            var lines = new List<string>();
            try
            {
                lines.AddRange(_processTable.Render(nicks));
            }
            catch (Exception ex)
            {
                s_log.Error(ex, "could not render the process table");
                lines.Add("* the process table could not be read; the supervisor's log says why");
            }

            try
            {
                lines.AddRange(await cluster.OtherHostsAsync());
            }
            catch (Exception ex)
            {
                s_log.Warn($"/ps could not read the other servers' members from Redis: {ex.Message}");
                lines.Add("* the other servers' members could not be listed: Redis cannot be reached now");
            }

            _postBack(new RoomEvent(RoomEventKind.Deliver, asker, Lines: lines));
        });
    }
}

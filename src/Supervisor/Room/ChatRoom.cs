using System.Globalization;
using System.Text;
using System.Threading.Channels;
using ChatFork.Text;
using NLog;

namespace ChatFork.Supervisor.Room;

/// <summary>
/// The chat room: who is here under which nick, and the one order in which lines happen. It runs as a single loop
/// that takes events from a channel, so its state needs no lock and every line gets its sequence number in one
/// place: since each member's queue is first-in first-out, every client sees the others' lines in the same order.
/// </summary>
/// <remarks>
/// In the thread model there is no loop: each connection thread calls <see cref="Process"/> and
/// <see cref="FlushDirty"/> itself, under one lock (ThreadModelServer) — the classic shared-state design.
/// The loop never blocks on a member. It appends to members' queues (bounded; a member whose queue is full is
/// dropped, not waited for) and, after each batch of events, flushes the members it wrote to, so a burst of lines
/// reaches each worker in one pipe write. Anything slow (reading /proc for /ps) happens off the loop.
/// </remarks>
internal sealed class ChatRoom
{
    private static readonly Logger s_log = LogManager.GetLogger("room");

    private readonly Channel<RoomEvent> _events;
    private readonly IProcessTable _processTable;
    private readonly Dictionary<long, Member> _members = [];
    private readonly Dictionary<string, Member> _byNick = new(NickRules.Comparer);
    private readonly List<Member> _dirty = [];
    private byte[] _scratch = new byte[1024];
    private long _sequence;

    public ChatRoom(IProcessTable processTable, int capacity = 1024)
    {
        _processTable = processTable;
        // Bounded: a flood of chat lines slows the workers' pipe readers (and so the flooding clients) down to the
        // rate the room relays, instead of growing the supervisor's memory.
        _events = Channel.CreateBounded<RoomEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>
    /// How work finished off the room's thread (the /ps table) comes back: by default through the channel to the
    /// loop; the thread model, which has no loop, takes its lock and processes the event itself.
    /// </summary>
    public Action<RoomEvent>? ProcessLater { get; set; }

    public bool TryPost(RoomEvent e) => _events.Writer.TryWrite(e);

    public ValueTask PostAsync(RoomEvent e, CancellationToken cancellationToken = default) =>
        _events.Writer.WriteAsync(e, cancellationToken);

    /// <summary>Posts an event that must not be lost (a leave), waiting for room in the channel if need be.</summary>
    public void PostReliably(RoomEvent e)
    {
        if (!_events.Writer.TryWrite(e))
        {
            _ = _events.Writer.WriteAsync(e).AsTask();
        }
    }

    public void Complete() => _events.Writer.TryComplete();

    public async Task RunAsync()
    {
        var reader = _events.Reader;
        while (await reader.WaitToReadAsync())
        {
            // Take a batch, then flush: one pipe write per member per batch, however many lines it holds.
            for (var i = 0; i < 4096 && reader.TryRead(out var e); i++)
            {
                Process(e);
            }

            FlushDirty();
        }
    }

    /// <summary>Acts on one event. Not thread-safe: one loop, or one lock, at a time.</summary>
    public void Process(RoomEvent e)
    {
        try
        {
            Handle(e);
        }
        catch (Exception ex)
        {
            s_log.Error(ex, $"could not handle {e.Kind} from connection {e.Member.Id}");
        }
        finally
        {
            e.Release();
        }
    }

    /// <summary>Asks every member written to since the last call to send what it has queued.</summary>
    public void FlushDirty()
    {
        foreach (var member in _dirty)
        {
            member.Dirty = false;
            member.Output.Flush();
        }

        _dirty.Clear();
    }

    private void Handle(RoomEvent e)
    {
        if (e.Kind == RoomEventKind.Joined)
        {
            Join(e.Member);
            return;
        }

        if (!_members.TryGetValue(e.Member.Id, out var member))
        {
            return; // it left (or was dropped) while this was in flight
        }

        switch (e.Kind)
        {
            case RoomEventKind.Said:
                Broadcast(member, Format("<", member.Nick, "> ", e.Line!.Value));
                break;
            case RoomEventKind.Acted:
                Broadcast(member, Format("* ", member.Nick, " ", e.Line!.Value));
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

                    var reply = new RoomEvent(RoomEventKind.Deliver, e.Member, Lines: lines);
                    if (ProcessLater is { } processLater)
                    {
                        processLater(reply);
                    }
                    else
                    {
                        PostReliably(reply);
                    }
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

    private void Join(IRoomMember output)
    {
        var nick = $"guest-{output.Id}";
        for (var n = 2; _byNick.ContainsKey(nick); n++)
        {
            nick = $"guest-{output.Id}-{n}";
        }

        var others = _members.Values.Select(m => m.Nick).ToList();
        var member = new Member(output, nick);
        _members.Add(output.Id, member);
        _byNick.Add(nick, member);

        Send(member, $"* you are {nick}; /nick NAME chooses another");
        Send(member, others.Count == 0
            ? "* nobody else is here yet; /help lists the commands"
            : $"* here now: {string.Join(", ", others)} ({others.Count} {(others.Count == 1 ? "other" : "others")}); /help lists the commands");
        Broadcast(member, Encode($"* {nick} joined ({output.ServedByShort})"));
        s_log.Info($"{nick} joined: connection {output.Id} from {output.PeerEndPoint}, served by {output.ServedBy}");
    }

    private void Leave(Member member, string how)
    {
        _members.Remove(member.Output.Id);
        _byNick.Remove(member.Nick);
        Broadcast(member, Encode($"* {member.Nick} left ({how})"));
        s_log.Info($"{member.Nick} left ({how})");
    }

    private void ChangeNick(Member member, string nick)
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
        BroadcastToAll(Encode($"* {old} is now known as {nick}"));
        s_log.Info($"{old} is now known as {nick} ({member.Output.ServedByShort})");
    }

    private void Whisper(Member from, string target, string text)
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

    private void Who(Member asker)
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
    private void Broadcast(Member sender, ReadOnlySpan<byte> line)
    {
        var sequence = ++_sequence;
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
        foreach (var member in _members.Values)
        {
            Deliver(member, sequence, line);
        }
    }

    private void Send(Member member, string line) => Deliver(member, ++_sequence, Encode(line));

    private void Deliver(Member member, long sequence, ReadOnlySpan<byte> line)
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

    private ReadOnlySpan<byte> Encode(string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        EnsureScratch(length);
        return _scratch.AsSpan(0, Encoding.UTF8.GetBytes(text, _scratch));
    }

    // prefix + nick + separator + text: written in front of the text in its own rented buffer (no copy of the text),
    // or built in the scratch buffer if the prefix does not fit there.
    private ReadOnlySpan<byte> Format(string prefix, string nick, string separator, RentedLine text)
    {
        Span<byte> head = stackalloc byte[RentedLine.HeadRoom];
        var headLength = prefix.Length + Encoding.UTF8.GetByteCount(nick) + separator.Length;
        if (headLength <= head.Length)
        {
            var n = Encoding.UTF8.GetBytes(prefix, head);
            n += Encoding.UTF8.GetBytes(nick, head[n..]);
            n += Encoding.UTF8.GetBytes(separator, head[n..]);
            if (text.TryPrefix(head[..n], out var line))
            {
                return line;
            }
        }

        var body = text.Text;
        EnsureScratch(headLength + body.Length);
        var span = _scratch.AsSpan();
        var m = Encoding.UTF8.GetBytes(prefix, span);
        m += Encoding.UTF8.GetBytes(nick, span[m..]);
        m += Encoding.UTF8.GetBytes(separator, span[m..]);
        body.CopyTo(span[m..]);
        return span[..(m + body.Length)];
    }

    private void EnsureScratch(int length)
    {
        if (_scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        }
    }

    private sealed class Member
    {
        public Member(IRoomMember output, string nick)
        {
            Output = output;
            Nick = nick;
            JoinedAt = DateTimeOffset.Now;
        }

        public IRoomMember Output { get; }

        public string Nick { get; private set; }

        public DateTimeOffset JoinedAt { get; }

        public bool Dirty { get; set; }

        public bool Dropped { get; set; }

        public void Rename(string nick) => Nick = nick;
    }
}

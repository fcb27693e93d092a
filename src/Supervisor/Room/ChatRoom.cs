using System.Buffers;
using System.Globalization;
using System.Text;
using ChatFork.Text;
using NLog;

namespace ChatFork.Supervisor.Room;

/// <summary>
/// The chat room: who is here under which nick, and the one order in which lines happen. Its state is touched by one
/// thread at a time, so it needs no lock of its own, and every line gets its sequence number in one place: since each
/// member's queue is first-in first-out, every client sees the others' lines in the same order.
/// </summary>
/// <remarks>
/// <para>Which thread? Whoever posts an event and finds the room idle processes the queue itself, then flushes
/// (flat combining): a chat line read from a worker's pipe is relayed by the same thread that read it, with no hand-over
/// to another thread (on a 2-core machine each hand-over is a wake-up, and wake-ups were most of a line's latency).
/// While one thread drains, others only queue; it drains what they queued too. The queue is bounded: past it, posting
/// waits, which stops the pipe readers and, through them, the flooding clients, instead of growing the supervisor's
/// memory.</para>
/// <para>In the thread model there is no queue: each connection thread calls <see cref="Process"/> and
/// <see cref="FlushDirty"/> itself, under one lock (ThreadModelServer) — the classic shared-state design.</para>
/// <para>The room never blocks on a member. It appends to members' queues (bounded; a member whose queue is full is
/// dropped, not waited for) and, after each batch of events, flushes the members it wrote to, so a burst of lines
/// reaches each worker in one pipe write. Anything slow (reading /proc for /ps) happens off the room.</para>
/// </remarks>
internal sealed class ChatRoom
{
    private const int BatchSize = 4096;

    private static readonly Logger s_log = LogManager.GetLogger("room");

    private readonly IProcessTable _processTable;
    private readonly Dictionary<long, Member> _members = [];
    private readonly Dictionary<string, Member> _byNick = new(NickRules.Comparer);
    private readonly List<Member> _dirty = [];
    private readonly Lock _queueLock = new();
    private readonly Queue<RoomEvent> _queue = new();
    private readonly List<RoomEvent> _batch = [];
    private readonly int _capacity;
    private TaskCompletionSource? _space;
    private bool _draining;
    private bool _closed;
    private byte[] _scratch = new byte[1024];
    private long _sequence;

    public ChatRoom(IProcessTable processTable, int capacity = 8192)
    {
        _processTable = processTable;
        _capacity = capacity;
    }

    /// <summary>
    /// How work finished off the room (the /ps table) comes back: by default posted like any event; the thread
    /// model takes its lock and processes the event itself.
    /// </summary>
    public Action<RoomEvent>? ProcessLater { get; set; }

    /// <summary>Queues an event, and processes the queue now if no other thread is. False when the queue is full.</summary>
    public bool TryPost(RoomEvent e) => Enqueue(e, ignoreCapacity: false);

    /// <summary>Posts an event, waiting while the queue is full (back-pressure for a pipe reader).</summary>
    public async ValueTask PostAsync(RoomEvent e)
    {
        while (!Enqueue(e, ignoreCapacity: false))
        {
            Task space;
            lock (_queueLock)
            {
                if (_queue.Count < _capacity)
                {
                    continue;
                }

                _space ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                space = _space.Task;
            }

            await space;
        }
    }

    /// <summary>Posts an event that must not be lost (a join, a leave), whatever the queue holds.</summary>
    public void PostReliably(RoomEvent e) => Enqueue(e, ignoreCapacity: true);

    /// <summary>Stops taking events (shutdown).</summary>
    public void Complete()
    {
        lock (_queueLock)
        {
            _closed = true;
        }
    }

    private bool Enqueue(RoomEvent e, bool ignoreCapacity)
    {
        lock (_queueLock)
        {
            if (_closed)
            {
                ReturnBuffer(e);
                return true;
            }

            if (!ignoreCapacity && _queue.Count >= _capacity)
            {
                return false;
            }

            _queue.Enqueue(e);
            if (_draining)
            {
                return true; // the thread draining now will get to it
            }

            _draining = true;
        }

        Drain();
        return true;
    }

    // Batch by batch until the queue is empty: take, process, flush (one pipe write per member per batch).
    private void Drain()
    {
        while (true)
        {
            TaskCompletionSource? space = null;
            lock (_queueLock)
            {
                if (_queue.Count == 0)
                {
                    _draining = false;
                    return;
                }

                while (_batch.Count < BatchSize && _queue.TryDequeue(out var e))
                {
                    _batch.Add(e);
                }

                if (_space is not null && _queue.Count < _capacity)
                {
                    space = _space;
                    _space = null;
                }
            }

            space?.TrySetResult();
            foreach (var e in _batch)
            {
                Process(e);
            }

            _batch.Clear();
            FlushDirty();
        }
    }

    private static void ReturnBuffer(RoomEvent e)
    {
        if (e.Data is not null)
        {
            ArrayPool<byte>.Shared.Return(e.Data);
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
            ReturnBuffer(e);
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
                Broadcast(member, Format("<", member.Nick, "> ", e.Data.AsSpan(0, e.Length)));
                break;
            case RoomEventKind.Acted:
                Broadcast(member, Format("* ", member.Nick, " ", e.Data.AsSpan(0, e.Length)));
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

    // prefix + nick + separator + text, built in the scratch buffer without a string per message.
    private ReadOnlySpan<byte> Format(string prefix, string nick, string separator, ReadOnlySpan<byte> text)
    {
        var length = prefix.Length + Encoding.UTF8.GetByteCount(nick) + separator.Length + text.Length;
        EnsureScratch(length);
        var span = _scratch.AsSpan();
        var n = Encoding.UTF8.GetBytes(prefix, span);
        n += Encoding.UTF8.GetBytes(nick, span[n..]);
        n += Encoding.UTF8.GetBytes(separator, span[n..]);
        text.CopyTo(span[n..]);
        return span[..(n + text.Length)];
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

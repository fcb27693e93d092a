using System.Collections.Concurrent;
using System.IO.Pipes;
using System.Text;
using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Supervisor;
using ChatFork.Supervisor.ProcessModel;
using ChatFork.Supervisor.Room;
using ChatFork.Tests.Support;
using ChatFork.Tests.Unit.Fakes;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>
/// The supervisor's side of <c>--worker-reuse</c> without a worker process: a real pipe, a real room, the real pipe
/// reader, registry and recycle step; the test writes what a reusable worker would write on its end of the pipe.
/// </summary>
[TestFixture]
[LinuxOnly("the pipe is a Unix socket at a path, as the supervisor makes it on Linux")]
public sealed class WorkerRecycleTests
{
    private Slots _slots = null!;
    private ChatRoom _room = null!;
    private Task _roomLoop = null!;
    private NamedPipeClientStream? _worker;

    [SetUp]
    public void SetUp()
    {
        _slots = new Slots();
        _room = new ChatRoom(new NoTable());
        _roomLoop = _room.RunAsync();
    }

    [TearDown]
    public async Task TearDown()
    {
        _worker?.Dispose();
        _room.Complete();
        await _roomLoop.WaitAsync(TimeSpan.FromSeconds(5));
        _slots.Dispose();
    }

    [Test]
    public async Task A_clean_Recycled_tells_the_room_pools_the_worker_and_its_next_client_is_a_new_member()
    {
        var (settings, registry, slot) = await ServingAsync(workerReuse: 5);
        var observer = new Observer(100);
        _room.PostReliably(new RoomEvent(RoomEventKind.Joined, observer));
        var firstSession = slot.Member;

        Write(w => w.WriteFrame(FrameType.Ready, default));
        Write(w => new LeavingMessage(LeaveReason.ClientClosed, "client closed the connection").WriteTo(w));
        Write(w => w.WriteFrame(FrameType.Recycled, default));

        Assert.That(await ServerProcess.EventuallyAsync(() => registry.IdleCount == 1), Is.True, "the worker should be back in the pool");
        Assert.That(slot.Life.State, Is.EqualTo(WorkerState.Idle));
        Assert.That(slot.Life.Connection, Is.Null, "/ps must not show the old client any more");
        Assert.That(((FakeWorkerProcess)slot.Process).Kills, Is.Zero);
        Assert.That(await ServerProcess.EventuallyAsync(() => observer.Has($"* guest-1 left (disconnected; worker {slot.ProcessId} recycled)")), Is.True,
            "the room tells the others the client left. It read: " + string.Join(" | ", observer.Lines));

        // The same process takes the next client; the pipe reader reads on.
        var next = _slots.NewConnection("127.0.0.1", TimeProvider.System);
        Assert.That(registry.Admit(next).Worker, Is.SameAs(slot));
        slot.Life.HandedOff(joined: true);
        _room.PostReliably(new RoomEvent(RoomEventKind.Joined, slot.Member));
        Assert.That(slot.Member, Is.Not.SameAs(firstSession));
        Write(w => w.WriteFrame(FrameType.Ready, default));
        Write(w => w.WriteFrame(FrameType.Say, Encoding.UTF8.GetBytes("hello again")));

        Assert.That(await ServerProcess.EventuallyAsync(() => observer.Has($"<guest-{next.Id}> hello again")), Is.True,
            "the second client's line should reach the room. It read: " + string.Join(" | ", observer.Lines));
        Assert.That(slot.Life.Uses, Is.EqualTo(2));
        Assert.That(settings.WorkerReuse, Is.EqualTo(5));
    }

    [Test]
    public async Task A_worker_at_its_last_use_is_sent_Shutdown_instead_of_being_pooled()
    {
        var (_, registry, slot) = await ServingAsync(workerReuse: 2, uses: 2);

        Write(w => w.WriteFrame(FrameType.Ready, default));
        Write(w => new LeavingMessage(LeaveReason.Quit, "bye").WriteTo(w));
        Write(w => w.WriteFrame(FrameType.Recycled, default));

        var frame = await ReadFrameAsync();
        Assert.That(frame.Type, Is.EqualTo(FrameType.Shutdown));
        Assert.That(frame.Text, Is.EqualTo(WorkerRecycle.RetiredLine));
        Assert.That(slot.Life.State, Is.EqualTo(WorkerState.Retiring));
        Assert.That(registry.IdleCount, Is.Zero);
    }

    [Test]
    public async Task Recycled_without_a_Leaving_first_is_a_protocol_violation_and_the_worker_is_killed()
    {
        var (_, registry, slot) = await ServingAsync(workerReuse: 5);

        Write(w => w.WriteFrame(FrameType.Ready, default));
        Write(w => w.WriteFrame(FrameType.Recycled, default));

        await AssertKilledForViolationAsync(registry, slot);
    }

    [Test]
    public async Task Recycled_after_the_worker_said_its_client_hit_a_limit_is_a_protocol_violation()
    {
        var (_, registry, slot) = await ServingAsync(workerReuse: 5);

        Write(w => w.WriteFrame(FrameType.Ready, default));
        Write(w => new LeavingMessage(LeaveReason.LineTooLong, "line longer than 4096 bytes (--max-line)").WriteTo(w));
        Write(w => w.WriteFrame(FrameType.Recycled, default));

        await AssertKilledForViolationAsync(registry, slot);
    }

    [Test]
    public async Task Recycled_from_a_worker_when_reuse_is_off_is_a_protocol_violation()
    {
        var (_, registry, slot) = await ServingAsync(workerReuse: 0);

        Write(w => w.WriteFrame(FrameType.Ready, default));
        Write(w => new LeavingMessage(LeaveReason.ClientClosed, "").WriteTo(w));
        Write(w => w.WriteFrame(FrameType.Recycled, default));

        await AssertKilledForViolationAsync(registry, slot);
    }

    [Test]
    public async Task A_worker_the_supervisor_is_killing_is_not_reused_whatever_it_says()
    {
        var (_, registry, slot) = await ServingAsync(workerReuse: 5);
        Write(w => w.WriteFrame(FrameType.Ready, default));
        Assert.That(await ServerProcess.EventuallyAsync(() => slot.Life.Ready), Is.True);
        slot.Kill("its worker fell behind on the pipe (--worker-queue)");

        Write(w => new LeavingMessage(LeaveReason.ClientClosed, "").WriteTo(w));
        Write(w => w.WriteFrame(FrameType.Recycled, default));
        Write(w => new LogMessage(WorkerLogLevel.Info, "after").WriteTo(w));

        Assert.That(await ServerProcess.EventuallyAsync(() => slot.Life.Leaving is not null), Is.True);
        await Task.Delay(200);
        Assert.That(slot.Life.State, Is.EqualTo(WorkerState.Busy), "not pooled");
        Assert.That(registry.IdleCount, Is.Zero);
        Assert.That(slot.Life.Misbehaved, Is.False, "a Recycled from a worker being killed is not a new offence");
    }

    [Test]
    public async Task Lines_queued_for_a_client_that_left_are_dropped_at_the_fence_and_what_was_sent_drains_before_the_next_hand_off()
    {
        var (_, _, slot) = await ServingAsync(workerReuse: 5);
        var outbox = slot.Outbox;
        var greeting = await ReadLinesAsync(TimeSpan.FromMilliseconds(300));
        Assert.That(greeting, Has.Some.StartsWith("* you are guest-"), "the room greets the client first; it is idle after that");

        // As the room's loop would: one line flushed (on its way down the pipe), one queued and not flushed yet.
        Assert.That(outbox.Deliver(1, "sent before the leave"u8), Is.True);
        outbox.Flush();
        Assert.That(outbox.Deliver(2, "queued for a client who is gone"u8), Is.True);

        outbox.DiscardRoomLines(); // the fence: the room has handled the client's leave
        outbox.Flush(); // the room's flush after that batch finds nothing of the old client's
        await outbox.WhenDrainedAsync().WaitAsync(TimeSpan.FromSeconds(10));

        var lines = await ReadLinesAsync(TimeSpan.FromMilliseconds(300));
        Assert.That(lines, Is.EqualTo(new[] { "sent before the leave" }));
    }

    private static async Task AssertKilledForViolationAsync(WorkerRegistry registry, WorkerSlot slot)
    {
        var process = (FakeWorkerProcess)slot.Process;
        Assert.That(await ServerProcess.EventuallyAsync(() => process.Kills > 0), Is.True, "the worker should be killed");
        Assert.That(slot.Life.KillReason, Is.EqualTo("it broke the pipe protocol"));
        Assert.That(slot.Life.Misbehaved, Is.True);
        Assert.That(slot.Life.State, Is.EqualTo(WorkerState.Busy), "not pooled");
        Assert.That(registry.IdleCount, Is.Zero);
    }

    // A worker attached (over a real pipe, its reader running) and serving connection 1 after `uses - 1` earlier ones.
    private async Task<(ServerSettings Settings, WorkerRegistry Registry, WorkerSlot Slot)> ServingAsync(int workerReuse, int uses = 1)
    {
        var settings = Settings.With(prespawn: 1, perIp: 100, workerReuse: workerReuse);
        var registry = new WorkerRegistry(settings, new SpawnBackoff(TimeProvider.System), TimeProvider.System);
        var slot = _slots.NewSlot();
        var connected = slot.PipeServer.WaitForConnectionAsync(CancellationToken.None);
        _worker = new NamedPipeClientStream(".", slot.PipeName, PipeDirection.InOut, PipeOptions.Asynchronous);
        await _worker.ConnectAsync(5000);
        await connected;

        Assert.That(registry.TryReserveSpawn(), Is.True);
        registry.Started(slot);
        Assert.That(registry.Attached(slot), Is.Null);
        for (var i = 1; i < uses; i++)
        {
            registry.Admit(_slots.NewConnection("127.0.0.1", TimeProvider.System));
            slot.Life.HandedOff(joined: false);
            slot.Life.SaidReady();
            slot.Life.SaidLeaving(new LeavingMessage(LeaveReason.ClientClosed, ""));
            slot.Life.SaidRecycled();
            Assert.That(registry.Recycled(slot).Outcome, Is.EqualTo(RecycleOutcome.Pooled));
        }

        Assert.That(registry.Admit(_slots.NewConnection("127.0.0.1", TimeProvider.System)).Worker, Is.SameAs(slot));
        slot.Life.HandedOff(joined: true);
        _room.PostReliably(new RoomEvent(RoomEventKind.Joined, slot.Member));

        var flow = new RoomFlow();
        var handOff = new HandOff(CurrentPlatform.HandOff, _room);
        var recycle = workerReuse >= 2 ? new WorkerRecycle(settings, registry, _room, handOff, () => { }) : null;
        new WorkerPipeReader(slot, new FrameDecoder(settings.MaxWorkerFrame, FrameTypes.IsFromWorker), _room,
            new SpawnBackoff(TimeProvider.System), flow, irc: null, recycle).Start();
        return (settings, registry, slot);
    }

    private void Write(Action<FrameBuffer> write)
    {
        var frames = new FrameBuffer();
        write(frames);
        _worker!.Write(frames.WrittenSpan);
    }

    // The next frame from the supervisor that is not a room line.
    private async Task<(FrameType Type, string Text)> ReadFrameAsync()
    {
        var decoder = new FrameDecoder(FrameHeader.DefaultMaxLength, FrameTypes.IsFromSupervisor);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            while (decoder.TryReadFrame(out var frame))
            {
                if (frame.Type != FrameType.Line)
                {
                    return (frame.Type, frame.Reader().ReadRestUtf8());
                }
            }

            var n = await _worker!.ReadAsync(decoder.GetReadBuffer(), timeout.Token);
            Assert.That(n, Is.Not.Zero, "the supervisor closed the pipe");
            decoder.Advance(n);
        }
    }

    // The Line frames the supervisor writes until it is quiet for `quiet`.
    private async Task<List<string>> ReadLinesAsync(TimeSpan quiet)
    {
        var decoder = new FrameDecoder(FrameHeader.DefaultMaxLength, FrameTypes.IsFromSupervisor);
        var lines = new List<string>();
        while (true)
        {
            while (decoder.TryReadFrame(out var frame))
            {
                if (frame.Type == FrameType.Line)
                {
                    var reader = frame.Reader();
                    reader.ReadInt64();
                    lines.Add(reader.ReadRestUtf8());
                }
            }

            using var timeout = new CancellationTokenSource(quiet);
            int n;
            try
            {
                n = await _worker!.ReadAsync(decoder.GetReadBuffer(), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return lines;
            }

            if (n == 0)
            {
                return lines;
            }

            decoder.Advance(n);
        }
    }

    /// <summary>Another client in the room: records what it is sent.</summary>
    private sealed class Observer(long id) : IRoomMember
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public long Id => id;

        public string ServedBy => "observer";

        public string ServedByShort => "observer";

        public string PeerEndPoint => "-";

        public IReadOnlyCollection<string> Lines => _lines;

        public bool Has(string line) => _lines.Contains(line);

        public bool Deliver(long sequence, ReadOnlySpan<byte> utf8Line)
        {
            _lines.Enqueue(Encoding.UTF8.GetString(utf8Line));
            return true;
        }

        public void Flush()
        {
        }

        public void Drop(string reason)
        {
        }
    }

    private sealed class NoTable : IProcessTable
    {
        public IReadOnlyList<string> Render(IReadOnlyDictionary<long, string> nicksByMemberId) => [];
    }
}

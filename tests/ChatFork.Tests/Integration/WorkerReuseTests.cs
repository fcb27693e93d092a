using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ChatFork.Fanout;
using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// The worker's side of <c>--worker-reuse</c> (<c>--reusable</c>), driven directly: the test is the supervisor. It
/// makes the worker's pipe, starts a real worker process, hands it real TCP connections with SCM_RIGHTS and reads
/// the frames it sends, so each step of the agreed protocol is seen on the wire.
/// </summary>
[TestFixture]
[LinuxOnly("hands sockets over with SCM_RIGHTS, as the Linux supervisor does")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class WorkerReuseTests
{
    [Test]
    public async Task A_reusable_worker_whose_client_quit_says_Leaving_then_Recycled_and_serves_the_next_client_afresh()
    {
        await using var fake = await FakeSupervisor.StartAsync("--reusable");
        await using var first = await fake.HandOffAsync();
        Assert.That((await fake.NextFrameAsync()).Type, Is.EqualTo(FrameType.Ready));

        await first.SendAsync("hello from the first client");
        var say = await fake.NextFrameAsync();
        Assert.That(say.Type, Is.EqualTo(FrameType.Say));
        Assert.That(Encoding.UTF8.GetString(say.Payload), Is.EqualTo("hello from the first client"));
        await fake.SendLineAsync(1, "<someone> hi first");
        Assert.That(await first.ReadLineAsync(), Is.EqualTo("<someone> hi first"));

        await first.SendAsync("/quit bye");
        var leaving = await fake.NextFrameAsync();
        Assert.That(leaving.Type, Is.EqualTo(FrameType.Leaving));
        Assert.That(leaving.Leaving.Reason, Is.EqualTo(LeaveReason.Quit));
        Assert.That(await first.DrainAsync(TimeSpan.FromSeconds(5)), Does.Contain("* bye"));
        Assert.That(first.Closed, Is.True, "the first client's connection was closed");
        Assert.That((await fake.NextFrameAsync()).Type, Is.EqualTo(FrameType.Recycled), "Recycled follows Leaving");

        // A line the room sent before it saw Leaving is for the client that left: dropped, not an error.
        await fake.SendLineAsync(2, "<someone> too late for the first client");
        var second = await fake.HandOffAsync();
        Assert.That((await fake.NextFrameAsync()).Type, Is.EqualTo(FrameType.Ready), "the same process serves a second client");
        Assert.That(fake.Worker.HasExited, Is.False);
        await fake.SendLineAsync(3, "<someone> hi second");
        Assert.That(await second.ReadLineAsync(), Is.EqualTo("<someone> hi second"), "the second client gets its lines and none of the first's");

        await second.DisposeAsync();
        Assert.That((await fake.NextFrameAsync()).Leaving.Reason, Is.EqualTo(LeaveReason.ClientClosed));
        Assert.That((await fake.NextFrameAsync()).Type, Is.EqualTo(FrameType.Recycled), "a client that closed is a clean end too");

        await fake.SendShutdownAsync();
        Assert.That(await fake.WaitForExitAsync(), Is.Zero, "a pooled worker told to go exits with 0");
    }

    [Test]
    public async Task A_reusable_irc_worker_forgets_the_registration_of_the_client_before()
    {
        await using var fake = await FakeSupervisor.StartAsync("--reusable", "--protocol", "irc");
        await using var first = await fake.HandOffAsync();
        Assert.That((await fake.NextFrameAsync()).Type, Is.EqualTo(FrameType.Ready));
        await first.SendAsync("NICK alice");
        await first.SendAsync("USER alice 0 * :Alice");
        Assert.That((await fake.NextFrameAsync()).Type, Is.EqualTo(FrameType.IrcRegister));
        await fake.SendFrameAsync(FrameType.IrcNick, Encoding.UTF8.GetBytes("alice"));
        await first.SendAsync("QUIT :done");
        Assert.That((await fake.NextFrameAsync()).Leaving.Reason, Is.EqualTo(LeaveReason.Quit));
        Assert.That((await fake.NextFrameAsync()).Type, Is.EqualTo(FrameType.Recycled));

        await using var second = await fake.HandOffAsync();
        Assert.That((await fake.NextFrameAsync()).Type, Is.EqualTo(FrameType.Ready));
        await second.SendAsync("JOIN #room");
        Assert.That(await second.ReadLineAsync(), Does.Contain(" 451 ").And.Contain("You have not registered"),
            "a new client starts unregistered, whoever the worker served before");
    }

    [Test]
    public async Task A_reusable_worker_whose_client_hit_a_limit_exits_instead_of_being_reused()
    {
        await using var fake = await FakeSupervisor.StartAsync("--reusable", "--max-line", "16");
        await using var client = await fake.HandOffAsync();
        Assert.That((await fake.NextFrameAsync()).Type, Is.EqualTo(FrameType.Ready));
        await client.SendAsync(new string('x', 40));
        var frame = await fake.NextFrameAsync();
        while (frame.Type == FrameType.Log)
        {
            frame = await fake.NextFrameAsync();
        }

        Assert.That(frame.Leaving.Reason, Is.EqualTo(LeaveReason.LineTooLong));
        Assert.That(await fake.WaitForExitAsync(), Is.Zero);
        Assert.That(fake.FramesLeft().Select(f => f.Type), Has.No.Member(FrameType.Recycled), "no Recycled after a limit was hit");
    }

    [Test]
    public async Task A_worker_without_reusable_exits_after_its_client_quits()
    {
        await using var fake = await FakeSupervisor.StartAsync();
        await using var client = await fake.HandOffAsync();
        Assert.That((await fake.NextFrameAsync()).Type, Is.EqualTo(FrameType.Ready));
        await client.SendAsync("/quit");
        Assert.That((await fake.NextFrameAsync()).Leaving.Reason, Is.EqualTo(LeaveReason.Quit));
        Assert.That(await fake.WaitForExitAsync(), Is.Zero);
        Assert.That(fake.FramesLeft().Select(f => f.Type), Has.No.Member(FrameType.Recycled));
    }

    /// <summary>The supervisor's half of one worker's pipe, for these tests.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    // --fanout shm on the loop worker: the ring and the cursor page come once, in the pool; each client is a new
    // member, which starts at its own RingJoin, reads the ring from there (not the member before it's lines), and
    // says where it is in the same cursor page.
    [Test]
    public async Task A_reusable_worker_keeps_its_ring_mapping_and_its_next_client_reads_the_ring_from_its_own_RingJoin()
    {
        const long capacity = 64 * 1024;
        using var ringMapping = CurrentPlatform.RingShare.Create(RingPart.Ring, capacity);
        using var cursorMapping = CurrentPlatform.RingShare.Create(RingPart.CursorPage, RingLayout.CursorPageSize);
        var ring = new RingWriter(ringMapping.AsRing(capacity));
        var page = cursorMapping.AsCursorPage();
        await using var fake = await FakeSupervisor.StartAsync("--reusable");
        fake.SendRingAttach(RingPart.Ring, ringMapping, capacity);
        fake.SendRingAttach(RingPart.CursorPage, cursorMapping, RingLayout.CursorPageSize);

        ring.Write(1, 0, "<someone> before anyone joined"u8);
        await using var first = await fake.HandOffAsync();
        Assert.That((await fake.NextFrameAsync()).Type, Is.EqualTo(FrameType.Ready));
        await fake.SendRingJoinAsync(memberId: 10, ring.Head);
        ring.Write(2, 0, "<someone> hi first"u8);
        await fake.SendFrameAsync(FrameType.Doorbell, []);
        Assert.That(await first.ReadLineAsync(), Is.EqualTo("<someone> hi first"), "the first member reads the ring from where it joined");
        await WaitUntilAsync(() => Volatile.Read(ref page.Position) == ring.Head, "the first member's position in its cursor page");

        await first.SendAsync("/quit bye");
        Assert.That((await fake.NextFrameAsync()).Type, Is.EqualTo(FrameType.Leaving));
        Assert.That((await fake.NextFrameAsync()).Type, Is.EqualTo(FrameType.Recycled));
        ring.Write(3, 0, "<someone> while nobody is served"u8);

        var second = await fake.HandOffAsync();
        Assert.That((await fake.NextFrameAsync()).Type, Is.EqualTo(FrameType.Ready), "no second RingAttach: the same mapping serves the next client");
        await fake.SendRingJoinAsync(memberId: 11, ring.Head);
        ring.Write(4, 11, "<second> its own line, which it does not read back"u8);
        ring.Write(5, 0, "<someone> hi second"u8);
        await fake.SendFrameAsync(FrameType.Doorbell, []);
        Assert.That(await second.ReadLineAsync(), Is.EqualTo("<someone> hi second"), "the second member reads from its own join, none of the first's lines");
        await WaitUntilAsync(() => Volatile.Read(ref page.Position) == ring.Head, "the second member's position in the same cursor page");

        await second.DisposeAsync();
        Assert.That((await fake.NextFrameAsync()).Leaving.Reason, Is.EqualTo(LeaveReason.ClientClosed));
        Assert.That((await fake.NextFrameAsync()).Type, Is.EqualTo(FrameType.Recycled));
        await fake.SendShutdownAsync();
        Assert.That(await fake.WaitForExitAsync(), Is.Zero);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.That(condition(), Is.True, what);
    }

    private sealed class FakeSupervisor : IAsyncDisposable
    {
        private readonly string _directory;
        private readonly Socket _pipe;
        private readonly TcpListener _clients;
        private readonly FrameDecoder _decoder = new(FrameHeader.DefaultMaxLength, FrameTypes.IsFromWorker);
        private readonly byte[] _buffer = new byte[64 * 1024];

        private FakeSupervisor(string directory, Socket pipe, Process worker, TcpListener clients)
        {
            _directory = directory;
            _pipe = pipe;
            Worker = worker;
            _clients = clients;
        }

        public Process Worker { get; }

        public static async Task<FakeSupervisor> StartAsync(params string[] options)
        {
            var directory = Directory.CreateTempSubdirectory("chatfork-reuse-test-").FullName;
            var path = Path.Combine(directory, "w1");
            var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(1);
            var info = new ProcessStartInfo(ServerProcess.WorkerPath) { RedirectStandardInput = true };
            foreach (var argument in new[] { "--pipe", path, "--supervisor", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Concat(options))
            {
                info.ArgumentList.Add(argument);
            }

            var worker = Process.Start(info)!;
            await worker.StandardInput.WriteLineAsync(Convert.ToHexString(RandomNumberGenerator.GetBytes(HelloMessage.SecretLength)));
            worker.StandardInput.Close();
            using var attach = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var pipe = await listener.AcceptAsync(attach.Token);
            listener.Dispose();
            var clients = new TcpListener(IPAddress.Loopback, 0);
            clients.Start();
            var fake = new FakeSupervisor(directory, pipe, worker, clients);
            Assert.That((await fake.NextFrameAsync()).Type, Is.EqualTo(FrameType.Hello));
            return fake;
        }

        /// <summary>Connects a client and hands its accepted socket to the worker, as the supervisor does.</summary>
        public async Task<ChatClient> HandOffAsync()
        {
            var accepting = _clients.AcceptSocketAsync();
            var client = await ChatClient.ConnectAsync((IPEndPoint)_clients.LocalEndpoint);
            using var accepted = await accepting;
            var frame = new FrameBuffer(64);
            new HandoffMessage(0, null).WriteTo(frame);
            ScmRights.Send(_pipe.SafeHandle, accepted.SafeHandle, frame.WrittenSpan, 5000);
            return client;
        }

        /// <summary>A RingAttach frame with the memfd on its bytes, as <c>MemfdRingShare.Send</c> does.</summary>
        public void SendRingAttach(RingPart part, RingMapping mapping, long capacity)
        {
            var frame = new FrameBuffer(64);
            new RingAttachMessage(part, capacity, "").WriteTo(frame);
            ScmRights.Send(_pipe.SafeHandle, mapping.SharedDescriptor!, frame.WrittenSpan, 5000);
        }

        public Task SendRingJoinAsync(long memberId, long position)
        {
            var frame = new FrameBuffer(64);
            RingFrames.WriteJoin(frame, memberId, position);
            return SendAsync(frame);
        }

        public Task SendLineAsync(long sequence, string text)
        {
            var frame = new FrameBuffer(256);
            frame.WriteLineFrame(sequence, Encoding.UTF8.GetBytes(text));
            return SendAsync(frame);
        }

        public Task SendShutdownAsync() => SendFrameAsync(FrameType.Shutdown, Encoding.UTF8.GetBytes("* server shutting down"));

        public Task SendFrameAsync(FrameType type, byte[] payload)
        {
            var frame = new FrameBuffer(256);
            frame.WriteFrame(type, payload);
            return SendAsync(frame);
        }

        public async Task<ReceivedFrame> NextFrameAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (true)
            {
                if (_decoder.TryReadFrame(out var frame))
                {
                    var received = new ReceivedFrame(frame.Type, frame.Payload.ToArray());
                    if (received.Type != FrameType.Log)
                    {
                        return received;
                    }

                    TestContext.Out.WriteLine($"worker log: {Encoding.UTF8.GetString(received.Payload)}");
                    continue;
                }

                var count = await _pipe.ReceiveAsync(_buffer, SocketFlags.None, timeout.Token);
                if (count == 0)
                {
                    throw new AssertionException("the worker closed its pipe");
                }

                _decoder.Append(_buffer.AsSpan(0, count));
            }
        }

        /// <summary>After the worker exited: the frames it sent that were not read yet.</summary>
        public List<ReceivedFrame> FramesLeft()
        {
            var left = new List<ReceivedFrame>();
            _pipe.Blocking = false;
            while (true)
            {
                while (_decoder.TryReadFrame(out var frame))
                {
                    left.Add(new ReceivedFrame(frame.Type, frame.Payload.ToArray()));
                }

                var count = _pipe.Receive(_buffer, SocketFlags.None, out var error);
                if (error != SocketError.Success || count == 0)
                {
                    return left;
                }

                _decoder.Append(_buffer.AsSpan(0, count));
            }
        }

        public async Task<int> WaitForExitAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await Worker.WaitForExitAsync(timeout.Token);
            return Worker.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!Worker.HasExited)
            {
                Worker.Kill();
                await Worker.WaitForExitAsync();
            }

            Worker.Dispose();
            _pipe.Dispose();
            _clients.Stop();
            Directory.Delete(_directory, recursive: true);
        }

        private async Task SendAsync(FrameBuffer frame) => await _pipe.SendAsync(frame.WrittenMemory, SocketFlags.None);
    }

    private sealed record ReceivedFrame(FrameType Type, byte[] Payload)
    {
        public LeavingMessage Leaving => LeavingMessage.Read(new Frame(Type, Payload));
    }
}

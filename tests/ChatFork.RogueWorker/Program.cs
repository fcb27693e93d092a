using System.IO.Pipes;
using System.Text;
using ChatFork.Platform;
using ChatFork.Protocol;

// A rogue worker. It takes the real worker's arguments and secret, then misbehaves as CHATFORK_ROGUE says, and
// waits (bounded) to be killed: the supervisor must notice, log why, kill it and reap it.

var mode = Environment.GetEnvironmentVariable("CHATFORK_ROGUE") ?? "garbage";
var pipeName = args[Array.IndexOf(args, "--pipe") + 1];

if (mode == "silent")
{
    Thread.Sleep(TimeSpan.FromSeconds(30)); // never attaches
    return 0;
}

var secret = Convert.FromHexString(Console.In.ReadLine()!.Trim());
using var pipe = new NamedPipeClientStream(".", pipeName, PipeDirection.InOut, PipeOptions.CurrentUserOnly);
pipe.Connect(5000);
var frames = new FrameBuffer();
var pid = Environment.ProcessId;

switch (mode)
{
    case "wrong-secret":
        secret[0] ^= 0xff;
        break;
    case "wrong-pid":
        pid += 1;
        break;
}

new HelloMessage(pid, secret).WriteTo(frames);
if (mode is "recycler" or "recycler-unasked")
{
    // Not rogue at first: a minimal reusable echo worker (--mode echo), for the supervisor's side of --worker-reuse
    // with real processes. Each client reads "rogue recycler PID use N", then its lines echoed; when it closes, the
    // worker says Leaving and Recycled ("recycler-unasked": Recycled alone, which breaks the protocol) and waits for
    // the next hand-off, until a Shutdown.
    pipe.Write(frames.WrittenSpan);
    frames.Clear();
    var decoder = new FrameDecoder(FrameHeader.DefaultMaxLength, FrameTypes.IsFromSupervisor);
    var buffer = new byte[4096];
    for (var use = 1; ; use++)
    {
        using var client = CurrentPlatform.HandOff.Receive(pipe, decoder, out _);
        if (client is null)
        {
            return 0; // Shutdown: retired, or the server is going down
        }

        frames.WriteFrame(FrameType.Ready, default);
        pipe.Write(frames.WrittenSpan);
        frames.Clear();
        client.Send(Encoding.ASCII.GetBytes($"rogue recycler {Environment.ProcessId} use {use}\n"));
        int received;
        while ((received = client.Receive(buffer)) > 0)
        {
            client.Send(buffer.AsSpan(0, received));
        }

        if (mode == "recycler")
        {
            new LeavingMessage(LeaveReason.ClientClosed, "client closed the connection").WriteTo(frames);
        }

        frames.WriteFrame(FrameType.Recycled, default);
        pipe.Write(frames.WrittenSpan);
        frames.Clear();
    }
}

switch (mode)
{
    case "garbage":
        var random = new Random(42);
        var junk = new byte[4096];
        random.NextBytes(junk);
        frames.WriteBytes(junk);
        break;
    case "oversized":
        frames.WriteBytes([0x00, 0x00, 0x00, 0x10, (byte)FrameType.Say]); // 256 MiB, it says
        break;
    case "early-say":
        frames.WriteTextFrame(FrameType.Say, "I was never handed a client");
        break;
    case "dirty-text":
        // Play by the rules until the hand-off, then relay a line with a terminal escape in it.
        pipe.Write(frames.WrittenSpan);
        frames.Clear();
        var decoder = new FrameDecoder(FrameHeader.DefaultMaxLength, FrameTypes.IsFromSupervisor);
        // With --fanout shm (the default) the room's ring arrives first: this worker maps none and closes its descriptor.
        using (var socket = CurrentPlatform.HandOff.Receive(pipe, decoder, out _, ringAttach: (_, received) => received.Dispose()))
        {
            frames.WriteFrame(FrameType.Ready, default);
            frames.WriteFrame(FrameType.Say, Encoding.UTF8.GetBytes("\u001b[2Jclear your screen"));
            pipe.Write(frames.WrittenSpan);
            Thread.Sleep(TimeSpan.FromSeconds(30));
        }

        return 0;
}

pipe.Write(frames.WrittenSpan);
pipe.Flush();
Thread.Sleep(TimeSpan.FromSeconds(30));
return 0;

using System.Net.Sockets;
using System.Text.RegularExpressions;
using ChatFork.Protocol;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>The pipes are not a way in: only the process the supervisor started, with its secret, gets a client.</summary>
public sealed partial class PipeSecurityTests
{
    [TestCase("garbage")]
    [TestCase("oversized")]
    [TestCase("wrong-secret")]
    [TestCase("wrong-pid")]
    public async Task A_worker_that_breaks_the_rules_while_attaching_is_killed_and_reaped(string misbehaviour)
    {
        // A bad hello fails the attach; garbage after a good one breaks the pipe protocol.
        const string logged = "(attach/attach-failed|pipe/protocol-violation):";
        await using var server = await StartRogueAsync(misbehaviour, "--prespawn", "1");
        var line = await server.WaitForLogAsync(logged);
        var pid = int.Parse(PidInLog().Match(line).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        await server.WaitForLogAsync($@"reaper/worker-exited: worker {pid} {Regex.Escape(TestTarget.KilledBySupervisor)}");
        Assert.That(await ServerProcess.EventuallyAsync(() => !server.IsRunning(pid)), Is.True, $"rogue worker {pid} was not reaped");
        Assert.That(server.HasExited, Is.False, "a rogue worker must not take the supervisor down");
    }

    [Test]
    public async Task A_worker_that_speaks_before_it_has_a_client_is_killed()
    {
        await using var server = await StartRogueAsync("early-say", "--prespawn", "1");
        var line = await server.WaitForLogAsync("pipe/protocol-violation: .*Say arrived before Ready");
        Assert.That(line, Does.Contain("Killing it"));
    }

    [Test]
    public async Task Workers_that_keep_breaking_the_rules_make_the_supervisor_back_off_instead_of_respawning_at_full_speed()
    {
        await using var server = await StartRogueAsync("early-say", "--prespawn", "1");
        await server.WaitForLogAsync("launcher/spawn-backoff:");
        await Task.Delay(TimeSpan.FromSeconds(3));
        var started = server.Log.Split('\n').Count(l => l.Contains("launcher/worker-started:", StringComparison.Ordinal));
        // Back-off doubles from 100 ms: within about 3 s no more than a handful of attempts.
        Assert.That(started, Is.LessThanOrEqualTo(8), server.Log);
    }

    [Test]
    public async Task A_worker_that_relays_a_terminal_escape_is_dropped_and_nothing_reaches_the_room()
    {
        // A real worker serves the observer; a rogue one (started for the next connection) relays dirty text.
        await using var server = await StartRogueAsync("dirty-text");
        await using var victim = await server.ConnectAsync("victim");
        await server.WaitForLogAsync("pipe/protocol-violation: .*not valid UTF-8 or holds control characters");
        await server.WaitForLogAsync($"reaper/worker-exited: .*{Regex.Escape(TestTarget.KilledBySupervisor)}");
        Assert.That(await victim.WaitForEofAsync(), Is.True, "the rogue's client is cut off with it");
    }

    [Test]
    [LinuxOnly("the stranger is this test process on the pipe's Unix socket; a Wine named pipe opens only from a Wine process")]
    public async Task A_stranger_that_reaches_a_workers_pipe_before_the_worker_is_dropped_with_the_worker()
    {
        // The rogue in "silent" mode never connects, so the stranger (this test) is first on the pipe.
        await using var server = await StartRogueAsync("silent", "--prespawn", "1");
        var started = await server.WaitForLogAsync(@"launcher/worker-started: .*pipe (\S+)\)");
        var path = PipeInLog().Match(started).Groups[1].Value;

        using var stranger = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await stranger.ConnectAsync(new UnixDomainSocketEndPoint(path));
        var hello = new FrameBuffer();
        new HelloMessage(Environment.ProcessId, new byte[HelloMessage.SecretLength]).WriteTo(hello);
        await stranger.SendAsync(hello.WrittenMemory);

        await server.WaitForLogAsync($@"attach/attach-failed: process {Environment.ProcessId}, not worker \d+");
        Assert.That(await DisconnectedAsync(stranger), Is.True, "the stranger is disconnected");
        await server.WaitForLogAsync("reaper/worker-exited: .*killed by SIGKILL");
    }

    [Test]
    [LinuxOnly("connects to the pipe's Unix socket; a Wine named pipe opens only from a Wine process")]
    public async Task Once_a_worker_is_attached_its_pipe_cannot_be_reached_at_all()
    {
        await using var server = await ServerProcess.StartAsync("--prespawn", "1");
        var started = await server.WaitForLogAsync(@"launcher/worker-started: .*pipe (\S+)\)");
        var path = PipeInLog().Match(started).Groups[1].Value;
        await server.WaitForLogAsync(@"attach/worker-attached:");

        using var stranger = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var refused = Assert.CatchAsync<SocketException>(async () => await stranger.ConnectAsync(new UnixDomainSocketEndPoint(path)));
        Assert.That(refused!.SocketErrorCode, Is.AnyOf(SocketError.AddressNotAvailable, SocketError.ConnectionRefused, SocketError.AccessDenied));
    }

    [Test]
    public async Task A_worker_that_never_attaches_is_killed_after_the_attach_timeout()
    {
        await using var server = await StartRogueAsync("silent", "--prespawn", "1", "--attach-timeout", "1");
        var line = await server.WaitForLogAsync(@"attach/attach-failed: .*--attach-timeout");
        var pid = int.Parse(PidInLog().Match(line).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        await server.WaitForLogAsync($@"reaper/worker-exited: worker {pid} {Regex.Escape(TestTarget.KilledBySupervisor)}");
    }

    private static async Task<bool> DisconnectedAsync(Socket socket)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            return await socket.ReceiveAsync(new byte[16], SocketFlags.None, cancel.Token) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    // A rogue worker never attaches as it should, so the server need not wait for its pool at start.
    private static Task<ServerProcess> StartRogueAsync(string mode, params string[] options) =>
        ServerProcess.StartAsync(new Dictionary<string, string> { ["CHATFORK_ROGUE"] = mode },
            ["--worker", ServerProcess.RogueWorkerPath, "--pool-wait", "0", .. options]);

    [GeneratedRegex(@"worker (\d+)")]
    private static partial Regex PidInLog();

    [GeneratedRegex(@"pipe (\S+)\)")]
    private static partial Regex PipeInLog();
}

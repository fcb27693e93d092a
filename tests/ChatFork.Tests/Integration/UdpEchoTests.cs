using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>The lab's TCP-vs-UDP contrast: one UDP socket answers every peer, with no process or socket per client.</summary>
public sealed class UdpEchoTests
{
    [Test]
    public async Task One_udp_socket_echoes_every_peers_datagrams_and_no_worker_is_started()
    {
        await using var server = await ServerProcess.StartAsync("--transport", "udp", "--mode", "echo");
        using var alice = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var bob = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        foreach (var (client, text) in new[] { (alice, "from alice"), (bob, "from bob, no newline needed") })
        {
            var datagram = Encoding.UTF8.GetBytes(text);
            await client.SendAsync(datagram, server.EndPoint);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var answer = await client.ReceiveAsync(timeout.Token);
            Assert.That(answer.Buffer, Is.EqualTo(datagram), "the datagram comes back whole: one datagram, one message");
            Assert.That(answer.RemoteEndPoint, Is.EqualTo(server.EndPoint));
        }

        Assert.That(server.WorkerCount(), Is.Zero, "no process per peer");
        if (!TestTarget.IsWine)
        {
            // Under Wine, wineserver holds the socket: /proc cannot say which process it is for.
            var udpSockets = UdpInodes();
            Assert.That(ProcFs.SocketInodes(server.Pid).Count(udpSockets.Contains), Is.EqualTo(1), "one socket for every peer");
        }
    }

    [Test]
    public async Task Udp_is_for_echo_only()
    {
        var info = TestTarget.StartInfo(ServerProcess.SupervisorPath, ["--transport", "udp", "--mode", "chat", "--port", "0", "--log-file", "none"]);

        using var process = System.Diagnostics.Process.Start(info)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.EqualTo(2));
        Assert.That(error, Does.Contain("--transport udp serves --mode echo only"));
    }

    private static HashSet<long> UdpInodes() =>
        File.ReadLines("/proc/net/udp").Skip(1)
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[9], CultureInfo.InvariantCulture))
            .ToHashSet();
}

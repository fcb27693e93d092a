using System.Net.Sockets;
using System.Text;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>The fork() emulation as the OS sees it: who is whose parent, and who holds which socket.</summary>
public sealed class ProcessModelTests
{
    [Test]
    [LinuxOnly("a worker's parent pid, from /proc; under Wine every worker's Linux parent is PID 1")]
    public async Task Each_client_is_served_by_a_distinct_worker_whose_parent_is_the_supervisor()
    {
        await using var server = await ServerProcess.StartAsync();
        var clients = new List<ChatClient>();
        try
        {
            var pids = new List<int>();
            for (var i = 0; i < 3; i++)
            {
                var (client, greeting) = await server.JoinAsync($"c{i}");
                clients.Add(client);
                pids.Add(WorkerPidFrom(greeting[0]));
            }

            Assert.That(pids, Is.Unique);
            foreach (var pid in pids)
            {
                var stat = ProcFs.Stat(pid);
                Assert.That(stat, Is.Not.Null, $"worker {pid} does not exist");
                Assert.That(stat!.Value.ParentPid, Is.EqualTo(server.Pid), $"worker {pid}'s parent");
                Assert.That(stat.Value.Command, Is.EqualTo("chatfork-worker"));
            }
        }
        finally
        {
            foreach (var c in clients)
            {
                await c.DisposeAsync();
            }
        }
    }

    [Test]
    [LinuxOnly("socket ownership by inode in /proc; under Wine wineserver holds every socket")]
    public async Task After_the_hand_off_the_socket_is_held_by_the_worker_and_not_by_the_supervisor()
    {
        await using var server = await ServerProcess.StartAsync();
        var (client, greeting) = await server.JoinAsync();
        await using var _ = client;
        var worker = WorkerPidFrom(greeting[0]);

        // The server's end of this connection: local = the server's port, remote = the client's port.
        var inode = ProcFs.TcpInode(server.EndPoint, client.LocalEndPoint);
        Assert.That(inode, Is.Not.Null, "the connection is not in /proc/net/tcp");
        Assert.That(ProcFs.SocketInodes(worker), Does.Contain(inode!.Value), "the worker holds the client's socket");
        Assert.That(ProcFs.SocketInodes(server.Pid), Does.Not.Contain(inode.Value), "the supervisor kept a copy of the client's socket");
    }

    [Test]
    public async Task When_the_worker_closes_the_connection_the_client_sees_EOF_at_once()
    {
        // With any copy of the socket left in the supervisor, the client would not see EOF until the supervisor closed it.
        await using var server = await ServerProcess.StartAsync();
        var (client, _) = await server.JoinAsync();
        await using var _ = client;
        await client.SendAsync("/quit");
        Assert.That(await client.WaitForEofAsync(TimeSpan.FromSeconds(5)), Is.True);
    }

    [Test]
    public async Task A_client_that_disconnects_makes_its_worker_exit_and_be_reaped_leaving_no_zombie()
    {
        await using var server = await ServerProcess.StartAsync();
        var (client, greeting) = await server.JoinAsync();
        var worker = WorkerPidFrom(greeting[0]);
        Assert.That(server.IsRunning(worker), Is.True);

        await client.DisposeAsync();

        Assert.That(await ServerProcess.EventuallyAsync(() => !server.IsRunning(worker)), Is.True,
            $"worker {worker} is still there: not exited, or a zombie nobody reaped");
        await server.WaitForLogAsync($@"reaper/worker-reaped: .*\b{worker}\b");
        // Under Wine a worker's Linux parent is PID 1, so the supervisor has no Linux children to leave as zombies.
        Assert.That(server.Children().Where(c => c.State == 'Z'), Is.Empty);
    }

    [Test]
    public async Task Ps_shows_the_supervisor_and_each_worker_with_uptime_and_memory()
    {
        await using var server = await ServerProcess.StartAsync("--prespawn", "2");
        var (alice, _) = await server.JoinAsync("alice");
        await using var a = alice;
        await alice.SendAsync("/nick alice");
        await alice.SendAsync("/ps");
        var lines = await alice.ReadUntilAsync(l => l.Contains("processes:", StringComparison.Ordinal), "the end of the table");

        Assert.That(lines, Has.Some.Match($@"^\* {server.Pid}\s+supervisor\s"));
        // Under Wine every process shows 0.0 MiB: Wine does not fill in a process's private bytes.
        var workers = server.WorkerPids();
        Assert.That(workers, Is.Not.Empty);
        foreach (var pid in workers)
        {
            Assert.That(lines, Has.Some.Match($@"^\* {pid}\s+worker\s+\S+.*\d+(\.\d)? MiB"), $"worker {pid} is missing from /ps");
        }

        Assert.That(lines, Has.Some.Match(@"worker\s+alice\s+\d+s\s+\d+\.\d MiB\s+127\.0\.0\.1:\d+"));
        Assert.That(lines, Has.Some.Contains("(idle, pooled)"));
    }

    [Test]
    public async Task In_echo_mode_each_connection_gets_its_own_worker()
    {
        await using var server = await ServerProcess.StartAsync("--mode", "echo");
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(server.EndPoint);
                await socket.SendAsync(Encoding.ASCII.GetBytes($"ping {i}\n"));
                Assert.That(Encoding.ASCII.GetString(await Sockets.ReceiveAsync(socket, 7, TimeSpan.FromSeconds(10))), Is.EqualTo($"ping {i}\n"));
                sockets.Add(socket);
            }

            Assert.That(await ServerProcess.EventuallyAsync(() => server.WorkerPids().Count == 3), Is.True,
                $"three connections, three workers; workers now: {string.Join(", ", server.WorkerPids())}");
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    internal static int WorkerPidFrom(string welcome)
    {
        var match = System.Text.RegularExpressions.Regex.Match(welcome, @"worker process (\d+)");
        Assert.That(match.Success, Is.True, $"no worker pid in the greeting: {welcome}");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// One descriptor per worker in the supervisor: once a worker attached, the supervisor holds its pipe's connected
/// socket and nothing else of it (no listening socket), so 10,000 workers fit under a 20,000 RLIMIT_NOFILE.
/// </summary>
[TestFixture]
public sealed partial class PipeDescriptorTests
{
    private const int SO_ACCEPTCON = 0x10000; // /proc/net/unix "Flags" of a listening socket

    [Test]
    [LinuxOnly("socket inodes from /proc and /proc/net/unix; under Wine wineserver holds every socket")]
    public async Task With_eight_attached_workers_the_supervisor_holds_one_socket_per_worker_pipe_and_no_listening_socket()
    {
        const int workers = 8;
        await using var server = await ServerProcess.StartAsync("--prespawn", workers.ToString(CultureInfo.InvariantCulture));
        var started = await server.WaitForLogAsync(@"launcher/worker-started: .*pipe (\S+)\)");
        var directory = Path.GetDirectoryName(PipeInLog().Match(started).Groups[1].Value) + "/";
        await server.WaitForLogAsync("pool-ready:");

        var unix = UnixSockets();
        var supervisorPipes = ProcFs.SocketInodes(server.Pid)
            .Where(i => unix.TryGetValue(i, out var s) && s.Path.StartsWith(directory, StringComparison.Ordinal))
            .ToHashSet();
        var listening = unix.Values.Where(s => s.Path.StartsWith(directory, StringComparison.Ordinal) && (s.Flags & SO_ACCEPTCON) != 0).ToList();
        Assert.That(listening.Select(s => $"{s.Inode} {s.Path}"), Is.Empty, "listening sockets left under the pipe directory once the pool is ready");
        Assert.That(supervisorPipes, Has.Count.EqualTo(workers), "the supervisor's sockets bound under the pipe directory (one per attached worker)");

        // Each of them is connected to exactly one worker's pipe, and each worker's pipe to exactly one of them.
        var peers = PeerInodes();
        var workerPids = server.Children().Select(c => c.Pid).ToList();
        Assert.That(workerPids, Has.Count.EqualTo(workers));
        var peerOfSupervisor = supervisorPipes.Select(i => peers.TryGetValue(i, out var p) ? p : -1).ToList();
        foreach (var pid in workerPids)
        {
            var held = ProcFs.SocketInodes(pid).Intersect(peerOfSupervisor).ToList();
            Assert.That(held, Has.Count.EqualTo(1), $"worker {pid} holds the far end of exactly one of the supervisor's pipe sockets");
        }

        Assert.That(peerOfSupervisor.Distinct().Count(), Is.EqualTo(workers), "no two of the supervisor's pipe sockets lead to the same worker socket");
    }

    private sealed record UnixSocket(long Inode, int Flags, string Path);

    // /proc/net/unix: "Num RefCount Protocol Flags Type St Inode Path"; an accepted socket shows its listener's path.
    private static Dictionary<long, UnixSocket> UnixSockets()
    {
        var result = new Dictionary<long, UnixSocket>();
        foreach (var line in File.ReadLines("/proc/net/unix").Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 7)
            {
                continue;
            }

            var inode = long.Parse(fields[6], CultureInfo.InvariantCulture);
            result[inode] = new UnixSocket(inode, int.Parse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture), fields.Length > 7 ? fields[7] : "");
        }

        return result;
    }

    // /proc/net/unix does not name a socket's peer; ss does (sock_diag): "u_str ESTAB 0 0 LOCAL INODE PEER PEER-INODE".
    private static Dictionary<long, long> PeerInodes()
    {
        using var ss = Process.Start(new ProcessStartInfo("ss", "-x -a -n -H") { RedirectStandardOutput = true })
                       ?? throw new InvalidOperationException("could not run ss (iproute2)");
        var output = ss.StandardOutput.ReadToEnd();
        ss.WaitForExit();
        var result = new Dictionary<long, long>();
        foreach (var line in output.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 8 && long.TryParse(fields[5], CultureInfo.InvariantCulture, out var local) &&
                long.TryParse(fields[7], CultureInfo.InvariantCulture, out var peer))
            {
                result[local] = peer;
            }
        }

        return result;
    }

    [GeneratedRegex(@"pipe (\S+)\)")]
    private static partial Regex PipeInLog();
}

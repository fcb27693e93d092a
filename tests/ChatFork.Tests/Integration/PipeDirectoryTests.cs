using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// Issue 10, point 3: the worker pipes live in a private directory, so another local user can neither reach them
/// (whatever the umask) nor squat their names; and a failed attach never leaves a slot stuck.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[LinuxOnly("Unix socket files, umasks, modes and another uid (setpriv); Windows named pipes have their own ACLs")]
public sealed partial class PipeDirectoryTests
{
    // Connects, as uid nobody, to each path given, for a number of seconds (0: one round); exit 0 if any connect succeeded.
    private const string ConnectScript = """
        use Socket;
        my $seconds = shift @ARGV; my $end = time() + $seconds; my $hits = 0; my %errors;
        do {
            for my $path (@ARGV) {
                socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die "socket: $!";
                if (connect($s, pack_sockaddr_un($path))) { $hits++; print "connected to $path\n"; } else { $errors{"$!"}++; }
                close $s;
            }
            select(undef, undef, undef, 0.01);
        } while (time < $end);
        print join(", ", map { "$_ (x$errors{$_})" } sort keys %errors), "\n";
        exit($hits ? 0 : 1);
        """;

    [Test]
    public async Task Under_umask_000_another_user_cannot_reach_a_waiting_workers_pipe_and_the_worker_is_killed_and_its_slot_freed()
    {
        // The rogue in "silent" mode never connects, so its pipe waits for --attach-timeout: the window a stranger needs.
        await using var server = await ServerProcess.StartWithUmaskAsync("000", new Dictionary<string, string> { ["CHATFORK_ROGUE"] = "silent" },
            "--worker", ServerProcess.RogueWorkerPath, "--pool-wait", "0", "--prespawn", "1", "--attach-timeout", "2");
        var started = await server.WaitForLogAsync(@"launcher/worker-started: .*pipe (\S+)\)");
        var path = PipeInLog().Match(started).Groups[1].Value;
        var pid = WorkerInLog().Match(started).Groups[1].Value;

        var (connected, output) = await AsNobodyAsync(0, path);
        Assert.That(connected, Is.False, $"uid nobody connected to the pipe {path}: {output}");
        TestContext.Out.WriteLine($"nobody -> {path}: {output}");

        await server.WaitForLogAsync($@"attach/attach-failed: worker {pid} did not attach");
        await server.WaitForLogAsync($@"reaped worker {pid}: slot #\d+ is free");
        await server.WaitForLogAsync(@"launcher/worker-started: started worker (?!" + pid + @"\b)\d+", TimeSpan.FromSeconds(15));
    }

    [Test]
    public async Task Under_umask_000_another_user_cannot_connect_to_any_worker_pipe_and_the_server_keeps_serving_new_clients()
    {
        await using var server = await ServerProcess.StartWithUmaskAsync("000", new Dictionary<string, string>(), "--prespawn", "2");
        var line = await server.WaitForLogAsync(@"worker pipes in (\S+) \(mode 0700\)");
        var directory = DirectoryInLog().Match(line).Groups[1].Value;
        Assert.That(File.GetUnixFileMode(directory), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));

        // A stranger keeps trying every pipe name for 3 s while clients come and go (each starts a new worker).
        var paths = Enumerable.Range(1, 40).Select(n => Path.Combine(directory, $"w{n}")).ToArray();
        var stranger = AsNobodyAsync(3, paths);
        for (var i = 0; i < 6; i++)
        {
            var (client, _) = await server.JoinAsync($"client{i}");
            await using var c = client;
            await client.SendAsync("/who");
            await client.ReadUntilAsync(l => l.EndsWith(" here:", StringComparison.Ordinal), "the answer to /who");
        }

        var (connected, output) = await stranger;
        TestContext.Out.WriteLine($"nobody -> {directory}/w1..w40 for 3 s: {output}");
        Assert.That(connected, Is.False, $"uid nobody connected to a worker pipe: {output}");
        Assert.That(server.Log, Does.Not.Contain("attach/attach-failed"));

        await server.StopAsync();
        Assert.That(Directory.Exists(directory), Is.False, "the pipe directory is removed at shutdown");
    }

    [Test]
    public async Task Files_symlinks_and_sockets_planted_at_the_old_predictable_pipe_paths_do_not_stop_a_new_supervisor()
    {
        var planted = new List<string>();
        var listeners = new List<Socket>();
        try
        {
            // The old names were /tmp/chatfork-PID-N.pipe. Plant them (as root) for the next few hundred pids, then
            // start a supervisor as an ordinary user (nobody), who cannot remove them (/tmp is sticky), and plant its
            // own next names too in case its pid fell outside the range.
            var next = int.Parse(File.ReadAllText("/proc/sys/kernel/ns_last_pid").Trim(), CultureInfo.InvariantCulture) + 1;
            for (var pid = next; pid < next + 300; pid++)
            {
                for (var n = 1; n <= 3; n++)
                {
                    Plant($"/tmp/chatfork-{pid}-{n}.pipe", n, planted, listeners);
                }
            }

            await using var server = await ServerProcess.StartAsNobodyAsync("--prespawn", "0", "--log-file", "none");
            // Others' supervisors on this machine may be older builds: their names are free again at once.
            foreach (var path in planted.Where(p => !p.StartsWith($"/tmp/chatfork-{server.Pid}-", StringComparison.Ordinal)).ToList())
            {
                File.Delete(path);
                planted.Remove(path);
            }

            for (var n = 1; n <= 40; n++)
            {
                Plant($"/tmp/chatfork-{server.Pid}-{n}.pipe", n, planted, listeners);
            }

            for (var i = 0; i < 3; i++)
            {
                var (client, _) = await server.JoinAsync($"client{i}");
                await using var c = client;
                await client.SendAsync("hello");
                await client.SendAsync("/who");
                await client.ReadUntilAsync(l => l.EndsWith(" here:", StringComparison.Ordinal), "the answer to /who");
            }

            Assert.That(server.Log, Does.Not.Contain("backing off"));
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }

            foreach (var path in planted)
            {
                File.Delete(path);
            }
        }
    }

    [Test]
    public async Task At_start_the_pipe_directory_of_a_supervisor_that_is_gone_is_removed_and_another_users_is_not()
    {
        // A pid that surely names no process now: one of ours that has exited.
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await gone.WaitForExitAsync();
        var stale = Directory.CreateTempSubdirectory($"chatfork-{gone.Id}-").FullName;
        var foreign = Path.Combine(Path.GetTempPath(), $"chatfork-{gone.Id}-foreign{Guid.NewGuid():N}"[..40]);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(stale, "w1"), "left by a supervisor killed with SIGKILL");
            Directory.CreateDirectory(foreign, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(foreign, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute);

            await using var server = await ServerProcess.StartAsync();
            Assert.That(Directory.Exists(stale), Is.False, $"{stale} was left behind. Log:\n{server.Log}");
            Assert.That(Directory.Exists(foreign), Is.True, "a directory that fails the private check (mode 0701 here) is not ours to remove");
        }
        finally
        {
            if (Directory.Exists(stale))
            {
                Directory.Delete(stale, recursive: true);
            }

            if (Directory.Exists(foreign))
            {
                Directory.Delete(foreign, recursive: true);
            }
        }
    }

    // A regular file, a symlink to nowhere, or a bound Unix socket: all make bind() fail with EADDRINUSE.
    private static void Plant(string path, int kind, List<string> planted, List<Socket> listeners)
    {
        try
        {
            if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
            {
                return;
            }
        }
        catch (IOException)
        {
            return;
        }

        switch (kind % 3)
        {
            case 0:
                File.WriteAllText(path, "squatted");
                break;
            case 1:
                File.CreateSymbolicLink(path, "/tmp/chatfork-squat-target-that-does-not-exist");
                break;
            default:
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                listeners.Add(socket);
                socket.Bind(new UnixDomainSocketEndPoint(path));
                socket.Listen();
                break;
        }

        planted.Add(path);
    }

    private static async Task<(bool Connected, string Output)> AsNobodyAsync(int seconds, params string[] paths)
    {
        var info = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "--reuid=nobody", "--regid=nogroup", "--clear-groups", "/usr/bin/perl", "-e", ConnectScript, $"{seconds}" }.Concat(paths))
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 10));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode == 0, ((await output) + (await error)).Trim());
    }

    [GeneratedRegex(@"pipe (\S+)\)")]
    private static partial Regex PipeInLog();

    [GeneratedRegex(@"started worker (\d+)")]
    private static partial Regex WorkerInLog();

    [GeneratedRegex(@"worker pipes in (\S+) ")]
    private static partial Regex DirectoryInLog();
}

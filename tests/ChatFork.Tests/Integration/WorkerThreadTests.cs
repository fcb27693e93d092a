using System.Globalization;
using System.Net.Sockets;
using System.Text;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// The worker of the build under test (the JIT worker: on Linux the build's, under Wine the win-x64 publish) is the
/// loop, on both OSes: one thread of its own, whatever it does, plus what the runtime starts by itself. The threaded
/// worker Windows had before had a pipe reader, a client writer and thread-pool threads for its pipe on top (10 threads
/// idle, 11 serving, under Wine). Counted from <c>/proc/PID/task</c> of the worker's Linux process (under Wine every
/// Windows thread is a Linux thread of the wine process; <see cref="ServerProcess.HostPidOf"/> finds it). The
/// NativeAOT worker's exact two threads are <see cref="NativeWorkerTests"/>'s.
/// </summary>
[NonParallelizable]
public sealed class WorkerThreadTests
{
    // What the JIT runtime starts on its own, by the names it gives them: the finalizer, tiered compilation's
    // background worker, the diagnostics server (EventPipe), the debugger's helper (and on Linux its pipe thread and
    // the PAL's synchronization manager). Not among them: the thread pool (".NET TP Worker", ".NET TP Gate"), the
    // socket engine (".NET Sockets"), timers, a signal thread: any of those is a thread the worker made happen.
    private static readonly string[] s_runtimeThreads =
        [".NET Finalizer", ".NET Tiered Com", ".NET EventPipe", ".NET Debugger", ".NET DebugPipe", ".NET SynchManag"];

    [Test]
    public async Task The_worker_has_one_thread_of_its_own_idle_in_the_pool_serving_a_client_and_while_its_client_never_reads_a_flood()
    {
        await using var server = await ServerProcess.StartAsync("--prespawn", "1", "--line-rate", "0");
        await server.WaitForLogAsync("supervisor/pool-ready:");
        var pooled = server.WorkerPids().Single();
        AssertOwnThreads(server, pooled, "an idle pooled worker");

        var (sender, _) = await server.JoinAsync("sender");
        var (reader, _) = await server.JoinAsync("reader");
        await using var s = sender;
        await using var r = reader;

        // The slow client reads its greeting (which names its worker) and then nothing; a small receive buffer makes
        // its window close sooner.
        using var slow = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await slow.ConnectAsync(server.EndPoint);
        var worker = ProcessModelTests.WorkerPidFrom(await FirstLineAsync(slow));
        await reader.ReadUntilAsync(l => l.Contains(" joined (", StringComparison.Ordinal), "the slow client's join");
        AssertOwnThreads(server, worker, "a worker just handed a client");

        // About 300 KB: more than the slow client's kernel buffers hold, less than its --send-queue (1 MiB), so its
        // worker holds the rest and waits for the socket to become writable: where the threaded one used its writer.
        const int count = 3000;
        var padding = new string('.', 80);
        var batch = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            batch.Append(CultureInfo.InvariantCulture, $"line {i} {padding}\n");
            if (batch.Length > 16 * 1024 || i == count - 1)
            {
                await sender.SendRawAsync(Encoding.ASCII.GetBytes(batch.ToString()));
                batch.Clear();
                await Task.Delay(2);
            }
        }

        await reader.ReadUntilAsync(l => l.Contains($"> line {count - 1} ", StringComparison.Ordinal), "the last line", TimeSpan.FromSeconds(TestTarget.IsWine ? 120 : 30));
        Assert.That(server.IsRunning(worker), Is.True, "the slow client's worker still serves it");
        AssertOwnThreads(server, worker, "a worker whose client does not read a flood");
    }

    // On Linux every thread but the runtime's is the worker's own, and there is one. Under Wine a thread's name reaches
    // /proc only some time after the runtime set it (SetThreadDescription): a young finalizer shows the process's name
    // for a moment. So the count is what is checked there, against the JIT runtime's share on Windows: the finalizer,
    // the debugger's helper, the diagnostics server (EventPipe) and tiered compilation's background worker, which
    // were the four seen in every sample (the fifth thread: the loop's). The threaded worker had 10 idle, 11 serving.
    private static void AssertOwnThreads(ServerProcess server, int workerPid, string what)
    {
        var host = server.HostPidOf(workerPid) ?? throw new AssertionException($"{what}: worker {workerPid} is not running");
        var threads = Directory.GetDirectories($"/proc/{host}/task").Select(task => File.ReadAllText(Path.Combine(task, "comm")).Trim()).ToList();
        var list = string.Join(", ", threads);
        TestContext.Out.WriteLine($"{what} (worker {workerPid}, Linux pid {host}): {threads.Count} threads: {list}");
        Assert.That(threads, Has.None.StartsWith(".NET TP").And.None.StartsWith(".NET Sockets").And.None.StartsWith(".NET Timer"),
            $"{what}: a thread-pool, socket-engine or timer thread: {list}");
        if (TestTarget.IsWine)
        {
            Assert.That(threads, Has.Count.InRange(1, 1 + WindowsRuntimeThreads), $"{what}: more threads than the loop's one and the runtime's {WindowsRuntimeThreads}: {list}");
            return;
        }

        var own = threads.Where(t => !s_runtimeThreads.Contains(t)).ToList();
        Assert.That(own, Is.EqualTo(new[] { "chatfork-worker" }), $"{what}: the worker's own threads, besides the runtime's: {list}");
    }

    private const int WindowsRuntimeThreads = 4;

    private static async Task<string> FirstLineAsync(Socket socket)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(TestTarget.IsWine ? 60 : 10));
        while (true)
        {
            var n = await socket.ReceiveAsync(one, timeout.Token);
            if (n == 0 || one[0] == '\n')
            {
                return Encoding.UTF8.GetString(bytes.ToArray()).TrimEnd('\r');
            }

            bytes.Add(one[0]);
        }
    }
}

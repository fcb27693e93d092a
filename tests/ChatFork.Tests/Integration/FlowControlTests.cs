using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// Isolation under abuse: one client flooding the room at full speed costs nobody else their connection. The room
/// slows the flooder down (its pipe is read later, its worker stops reading its socket) instead of dropping the
/// readers, and the supervisor's memory stays within the bound the docs state.
/// </summary>
[NonParallelizable]
public sealed class FlowControlTests
{
    private const int Readers = 5;
    private static readonly TimeSpan s_flood = TimeSpan.FromSeconds(10);

    // Both fan-outs: down every worker's pipe, and through the room's ring in shared memory (the smallest ring, so
    // that the flood meets its levels as it meets the pipes' queues).
    [TestCase("pipe")]
    [TestCase("shm")]
    public async Task A_client_flooding_at_full_speed_for_10_s_costs_no_reader_its_connection_or_a_line(string fanout)
    {
        // Small queues, so that the flood meets them in seconds on any machine.
        const int workerQueue = 256 * 1024;
        await using var server = await ServerProcess.StartAsync("--worker-queue", workerQueue.ToString(CultureInfo.InvariantCulture), "--slow-consumer-timeout", "10", "--line-rate", "0",
            "--fanout", fanout, "--ring-size", "262144");
        var readers = new List<FloodReader>();
        for (var i = 0; i < Readers; i++)
        {
            readers.Add(await FloodReader.JoinAsync(server, $"reader{i}"));
        }

        using var flooder = new Socket(server.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await flooder.ConnectAsync(server.EndPoint);
        await flooder.SendAsync(Encoding.ASCII.GetBytes("/nick flooder\n"));
        var sent = await FloodAsync(flooder, s_flood);
        var peakKiB = ProcFs.PeakRssKiB(server.HostPid);

        // Every line the room accepted reaches every reader, in order: they all end on the same last line.
        var settled = await ServerProcess.EventuallyAsync(() => readers.Select(r => r.Last).Distinct().Count() == 1 && readers.All(r => r.QuietFor > TimeSpan.FromSeconds(2)), TimeSpan.FromSeconds(60));
        var results = readers.Select(r => $"{r.Name}: {r.Count} lines, last {r.Last}, gaps {r.Gaps}, dropped={r.SawDrop}, eof={r.Eof}").ToList();
        var cutOff = readers.Select(r => r.Eof || r.SawDrop).ToList();
        TestContext.Out.WriteLine($"flooder sent {sent.Lines} lines ({sent.Bytes} bytes) in {s_flood.TotalSeconds:0} s; supervisor peak RSS {peakKiB} KiB");
        TestContext.Out.WriteLine(string.Join("\n", results));
        foreach (var reader in readers)
        {
            await reader.DisposeAsync();
        }

        Assert.That(cutOff, Is.All.False, "a reader was disconnected:\n" + string.Join("\n", results) + "\n" + server.Log);
        Assert.That(readers.Select(r => r.Gaps), Is.All.Zero, "a reader missed or reordered lines:\n" + string.Join("\n", results));
        Assert.That(settled, Is.True, "the readers did not all end on the same line:\n" + string.Join("\n", results));
        Assert.That(readers[0].Count, Is.GreaterThan(100), "the flooder was slowed, not stopped");
        Assert.That(server.HasExited, Is.False);

        // The bound from docs/architecture.md: a baseline, plus per worker --worker-queue and its reserve, plus the
        // room's 1,024 events of at most one frame each. Six workers here.
        var boundKiB = (200 * 1024) + (6 * (workerQueue + Math.Max(64 * 1024, workerQueue / 4)) / 1024) + (1024 * ((3 * 4096) + 1024) / 1024);
        Assert.That(peakKiB, Is.LessThan(boundKiB), $"the supervisor's peak RSS {peakKiB} KiB passed the stated bound {boundKiB} KiB");
    }

    [TestCase("pipe")]
    [TestCase("shm")]
    public async Task A_reader_whose_worker_takes_nothing_is_dropped_as_a_slow_consumer_only_after_the_timeout(string fanout)
    {
        await using var server = await ServerProcess.StartAsync("--worker-queue", (128 * 1024).ToString(CultureInfo.InvariantCulture), "--slow-consumer-timeout", "3", "--line-rate", "0",
            "--fanout", fanout, "--ring-size", "262144");
        var (stuck, stuckGreeting) = await server.JoinAsync("stuck");
        await using var _ = stuck;
        var reader = await FloodReader.JoinAsync(server, "reader");
        var stuckWorker = ProcessModelTests.WorkerPidFrom(stuckGreeting[0]);
        server.Signal(stuckWorker, 19); // SIGSTOP: it reads nothing from its pipe from now on
        try
        {
            using var flooder = new Socket(server.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await flooder.ConnectAsync(server.EndPoint);
            await flooder.SendAsync(Encoding.ASCII.GetBytes("/nick flooder\n"));
            var stopwatch = Stopwatch.StartNew();
            var flood = FloodAsync(flooder, TimeSpan.FromSeconds(8));
            var dropped = await server.WaitForLogAsync(@"supervisor/slow-consumer: worker " + stuckWorker, TimeSpan.FromSeconds(30));
            var after = stopwatch.Elapsed;
            await flood;
            TestContext.Out.WriteLine($"dropped after {after.TotalSeconds:0.0} s: {dropped}");
            Assert.That(after, Is.GreaterThan(TimeSpan.FromSeconds(3)), "not before --slow-consumer-timeout");
            Assert.That(await ServerProcess.EventuallyAsync(() => reader.HasLine(l => l.Contains(" left (dropped: it took nothing for 3 s", StringComparison.Ordinal))), Is.True, "the room is told");
            Assert.That(reader.Eof || reader.SawDrop, Is.False, "the reader that reads stays");
            Assert.That(reader.Gaps, Is.Zero);
        }
        finally
        {
            if (server.HostPidOf(stuckWorker) is { } host)
            {
                Native.Kill(host, 18); // SIGCONT, so that it can die
            }
            await reader.DisposeAsync();
        }
    }

    // Lines of 10 to 1,000 bytes, numbered, as fast as the socket takes them, never reading; bounded by time.
    private static async Task<(long Lines, long Bytes)> FloodAsync(Socket socket, TimeSpan duration)
    {
        var random = new Random(7);
        var stopwatch = Stopwatch.StartNew();
        var batch = new StringBuilder();
        long lines = 0, bytes = 0;
        using var cancel = new CancellationTokenSource(duration);
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                batch.Clear();
                while (batch.Length < 16 * 1024)
                {
                    lines++;
                    batch.Append(CultureInfo.InvariantCulture, $"flood {lines} ").Append('x', random.Next(0, 990)).Append('\n');
                }

                var data = Encoding.ASCII.GetBytes(batch.ToString());
                await socket.SendAsync(data, SocketFlags.None, cancel.Token);
                bytes += data.Length;
            }
        }
        catch (OperationCanceledException)
        {
            // Time is up (a send may have been cut short; its lines were never complete, so they do not count).
        }

        return (lines, bytes);
    }

    /// <summary>A client that reads as fast as it can and checks the flooder's numbered lines as they come.</summary>
    private sealed class FloodReader : IAsyncDisposable
    {
        private readonly Socket _socket;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _reading;
        private long _lastTick = Environment.TickCount64;

        private FloodReader(string name, Socket socket)
        {
            Name = name;
            _socket = socket;
            _reading = Task.Run(ReadAsync);
        }

        public string Name { get; }

        private List<string> Lines { get; } = [];

        public bool HasLine(Func<string, bool> match)
        {
            lock (Lines)
            {
                return Lines.Any(match);
            }
        }

        public long Count { get; private set; }

        public long Last { get; private set; }

        public int Gaps { get; private set; }

        public bool Eof { get; private set; }

        public bool SawDrop { get; private set; }

        public TimeSpan QuietFor => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastTick));

        public static async Task<FloodReader> JoinAsync(ServerProcess server, string name)
        {
            var socket = new Socket(server.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(server.EndPoint);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"/nick {name}\n"));
            return new FloodReader(name, socket);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _socket.Dispose();
            await _reading.ContinueWith(_ => { }, TaskScheduler.Default);
            _stop.Dispose();
        }

        private async Task ReadAsync()
        {
            var buffer = new byte[64 * 1024];
            var pending = new StringBuilder();
            try
            {
                while (true)
                {
                    var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                    if (n == 0)
                    {
                        Eof = true;
                        return;
                    }

                    Interlocked.Exchange(ref _lastTick, Environment.TickCount64);
                    pending.Append(Encoding.UTF8.GetString(buffer, 0, n));
                    var text = pending.ToString();
                    var end = text.LastIndexOf('\n');
                    if (end < 0)
                    {
                        continue;
                    }

                    pending.Clear().Append(text, end + 1, text.Length - end - 1);
                    foreach (var raw in text[..end].Split('\n'))
                    {
                        OnLine(raw.TrimEnd('\r'));
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
            }
        }

        private void OnLine(string line)
        {
            const string prefix = "<flooder> flood ";
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                var end = line.IndexOf(' ', prefix.Length);
                var number = long.Parse(line.AsSpan(prefix.Length, (end < 0 ? line.Length : end) - prefix.Length), CultureInfo.InvariantCulture);
                if (number != Last + 1)
                {
                    Gaps++;
                }

                Last = number;
                Count++;
                return;
            }

            lock (Lines)
            {
                Lines.Add(line);
            }

            if (line.Contains("dropped", StringComparison.Ordinal) && line.Contains(Name, StringComparison.Ordinal))
            {
                SawDrop = true;
            }
        }
    }
}

using System.Globalization;
using System.Net.Sockets;
using System.Text;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// Many clients that all send a burst at the same moment, as the bench's chat-burst does: every line reaches every
/// other client. Each pipe reader in the supervisor holds a batch of decoded lines while it waits to post them; the
/// room's limit on lines in transit must count only lines that were posted, or every reader waits for the others'
/// unposted batches and the room stalls for good (it did: the bench lost 90 % of chat-burst's deliveries).
/// </summary>
[NonParallelizable]
public sealed class ChatBurstTests
{
    private const int Clients = 50;
    private const int LinesEach = 200;
    private const int LinesPerWrite = 1;

    [Test]
    public async Task Fifty_clients_that_all_send_200_lines_at_full_speed_each_receive_every_line_of_the_others()
    {
        await using var server = await ServerProcess.StartAsync("--line-rate", "0", "--prespawn", Clients.ToString(CultureInfo.InvariantCulture),
            "--max-clients-per-ip", "128");
        var clients = new List<BurstClient>();
        try
        {
            for (var i = 0; i < Clients; i++)
            {
                clients.Add(await BurstClient.JoinAsync(server, i));
            }

            // Every client has joined the room once the last one's arrival reached the first.
            await clients[0].WaitForAsync($" is now known as s{Clients - 1}", TimeSpan.FromSeconds(60));

            await Task.WhenAll(clients.Select(c => c.SendBurstAsync(LinesEach)));
            const int expected = (Clients - 1) * LinesEach;
            var all = await ServerProcess.EventuallyAsync(() => clients.All(c => c.ChatLines >= expected), TimeSpan.FromSeconds(90));
            var counts = string.Join(", ", clients.Select(c => c.ChatLines));
            TestContext.Out.WriteLine($"chat lines received per client (expected {expected}): {counts}");
            Assert.That(all, Is.True, $"some clients did not receive every line (expected {expected} each): {counts}\n{server.Log}");
            Assert.That(clients.Select(c => c.OutOfOrder), Is.All.Zero, "a sender's lines arrived out of order");
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private sealed class BurstClient : IDisposable
    {
        private readonly Socket _socket;
        private readonly int _index;
        private readonly Task _reading;
        private readonly Dictionary<int, int> _lastFrom = [];
        private readonly List<string> _notices = [];
        private int _chatLines;

        private BurstClient(Socket socket, int index)
        {
            _socket = socket;
            _index = index;
            _reading = Task.Run(ReadAsync);
        }

        public int ChatLines => Volatile.Read(ref _chatLines);

        public int OutOfOrder { get; private set; }

        public static async Task<BurstClient> JoinAsync(ServerProcess server, int index)
        {
            var socket = new Socket(server.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(server.EndPoint);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"/nick s{index}\n"));
            return new BurstClient(socket, index);
        }

        public async Task WaitForAsync(string text, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                lock (_notices)
                {
                    if (_notices.Any(n => n.Contains(text, StringComparison.Ordinal)))
                    {
                        return;
                    }
                }

                await Task.Delay(50);
            }

            Assert.Fail($"s{_index} never saw a line with '{text}'");
        }

        // As fast as the socket takes them, a few dozen lines per write: while the room is briefly behind, each
        // sender's pipe fills, and the supervisor then decodes big batches from many senders at once.
        public async Task SendBurstAsync(int lines)
        {
            var text = new StringBuilder();
            for (var n = 1; n <= lines; n++)
            {
                text.Append(CultureInfo.InvariantCulture, $"{n} {new string((char)('a' + (_index % 26)), 60)}\n");
                if (n % LinesPerWrite == 0 || n == lines)
                {
                    await _socket.SendAsync(Encoding.ASCII.GetBytes(text.ToString()));
                    text.Clear();
                }
            }
        }

        private async Task ReadAsync()
        {
            using var reader = new StreamReader(new NetworkStream(_socket, ownsSocket: false), Encoding.UTF8);
            try
            {
                while (await reader.ReadLineAsync() is { } line)
                {
                    // "<s12> 37 aaaa..."
                    if (line.StartsWith("<s", StringComparison.Ordinal) && line.IndexOf('>') is > 2 and var close)
                    {
                        var sender = int.Parse(line.AsSpan(2, close - 2), CultureInfo.InvariantCulture);
                        var rest = line.AsSpan(close + 2);
                        var number = int.Parse(rest[..rest.IndexOf(' ')], CultureInfo.InvariantCulture);
                        if (_lastFrom.TryGetValue(sender, out var last) && number != last + 1)
                        {
                            OutOfOrder++;
                        }

                        _lastFrom[sender] = number;
                        Interlocked.Increment(ref _chatLines);
                    }
                    else
                    {
                        lock (_notices)
                        {
                            _notices.Add(line);
                        }
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
            {
            }
        }

        public void Dispose()
        {
            _socket.Dispose();
            _reading.Wait(TimeSpan.FromSeconds(5));
        }
    }
}

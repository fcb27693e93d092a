using System.Net;
using System.Net.Sockets;
using ChatFork.Supervisor.Logging;
using NLog;

namespace ChatFork.Supervisor.Lab;

/// <summary>
/// The lab's contrast to everything else in ChatFork: a UDP echo server. One socket, one loop, every peer. There is
/// no accept, no connection, no socket per client and so nothing to hand to a worker: each datagram carries its
/// sender's address and the answer goes back to it. In exchange the datagram is the message (no line framing, no
/// stream), and nothing guarantees it arrives, arrives once, or arrives in order.
/// </summary>
internal sealed class UdpEchoServer : IServerModel
{
    private static readonly Logger s_log = LogManager.GetLogger("udp");

    private readonly ServerSettings _settings;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stopping = new();
    private readonly BurstWarning _oversized = new(s_log, TimeSpan.FromSeconds(5));
    private Task _loop = Task.CompletedTask;
    private long _echoed;

    public UdpEchoServer(ServerSettings settings)
    {
        _settings = settings;
        _socket = new Socket(settings.Host.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.Bind(new IPEndPoint(settings.Host, settings.Port));
        }
        catch (SocketException e)
        {
            _socket.Dispose();
            throw new ChatForkException($"Cannot bind UDP {settings.Host}:{settings.Port}: {e.Message}.", e);
        }
    }

    public string LocalEndPoint => _socket.LocalEndPoint!.ToString()!;

    public string Description => "one UDP socket for every peer, echo";

    public Task StartAsync()
    {
        _loop = EchoAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task<int> ShutdownAsync(string reason, CancellationToken forced)
    {
        await _stopping.CancelAsync();
        _socket.Dispose();
        await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
        _oversized.Flush();
        s_log.Info($"shut down ({reason}) after echoing {Interlocked.Read(ref _echoed)} datagrams");
        return 0;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _stopping.Dispose();
    }

    private async Task EchoAsync(CancellationToken stopping)
    {
        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(_settings.Host.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // On Linux an ICMP "port unreachable" from an earlier answer can surface here; it concerns that peer only.
                s_log.Debug($"receive failed: {e.Message}");
                continue;
            }

            if (received.ReceivedBytes > _settings.MaxLine)
            {
                _oversized.Hit($"dropped a {received.ReceivedBytes}-byte datagram from {received.RemoteEndPoint}: over --max-line ({_settings.MaxLine})");
                continue;
            }

            try
            {
                await _socket.SendToAsync(buffer.AsMemory(0, received.ReceivedBytes), SocketFlags.None, received.RemoteEndPoint, stopping);
                Interlocked.Increment(ref _echoed);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                s_log.Debug($"could not answer {received.RemoteEndPoint}: {e.Message}");
            }
        }
    }
}

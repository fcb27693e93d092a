using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Supervisor.Room;
using ChatFork.Supervisor.Logging;
using NLog;

namespace ChatFork.Supervisor.Models;

/// <summary>
/// The async model, for the comparison lab ("shouldn't we do IOCP?"): one process, no thread per client. Accepts
/// and reads are awaited; the runtime multiplexes every socket on a few threads (epoll on Linux, I/O completion
/// ports on Windows). The room is the same single loop the process model uses.
/// </summary>
internal sealed class AsyncModelServer : IServerModel
{
    private static readonly Logger s_log = LogManager.GetLogger("supervisor");

    private readonly RefusalLog _refusals = new(s_log);
    private readonly ServerSettings _settings;
    private readonly Socket _listener;
    private readonly ConnectionLimiter _limiter;
    private readonly ChatRoom? _room;
    private readonly ConcurrentDictionary<long, AsyncSession> _sessions = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _acceptLoop = Task.CompletedTask;
    private Task _roomLoop = Task.CompletedTask;
    private long _nextId;

    public AsyncModelServer(ServerSettings settings, Socket listener, string endpoint)
    {
        _settings = settings;
        _listener = listener;
        _limiter = new ConnectionLimiter(settings);
        if (settings.Mode == ServerMode.Chat)
        {
            _room = new ChatRoom(new InProcessTable(Sessions, ProcessPlatform.Current, endpoint, "async"));
        }
    }

    public string Description => $"async sockets in one process, up to {_settings.MaxClients} connections";

    public Task StartAsync()
    {
        _roomLoop = _room?.RunAsync() ?? Task.CompletedTask;
        _acceptLoop = AcceptLoopAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task<int> ShutdownAsync(string reason, CancellationToken forced)
    {
        var stopwatch = Stopwatch.StartNew();
        await _stopping.CancelAsync();
        _limiter.Close();
        _listener.Dispose();
        await _acceptLoop.ContinueWith(_ => { }, TaskScheduler.Default);
        var sessions = _sessions.Values.ToList();
        s_log.Info($"shutting down ({reason}): no new connections; telling {sessions.Count} clients");
        foreach (var session in sessions)
        {
            session.Stop(LeaveReason.Shutdown, "server shutdown", Refusal.ShuttingDown);
        }

        var deadline = Stopwatch.GetTimestamp() + (long)(_settings.ShutdownTimeout.TotalSeconds * Stopwatch.Frequency);
        while (!_sessions.IsEmpty && !forced.IsCancellationRequested && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(10, CancellationToken.None);
        }

        _room?.Complete();
        await _roomLoop.WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        _refusals.Flush();
        if (_sessions.IsEmpty)
        {
            s_log.Info($"shut down cleanly in {stopwatch.Elapsed.TotalSeconds:0.00} s: all {sessions.Count} connections closed");
            return 0;
        }

        s_log.Warn($"shut down in {stopwatch.Elapsed.TotalSeconds:0.00} s with {_sessions.Count} connections still open; the process exit closes them");
        return 1;
    }

    public void Dispose() => _stopping.Dispose();

    private IReadOnlyList<SessionInfo> Sessions() =>
        _sessions.Values.Select(s => new SessionInfo(s.Id, null, s.Peer.ToString(), s.Since)).ToList();

    private async Task AcceptLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(stopping);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                if (stopping.IsCancellationRequested)
                {
                    return;
                }

                await Task.Delay(100, CancellationToken.None);
                continue;
            }

            var id = ++_nextId;
            var peer = socket.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
            s_log.Info($"accepted {peer} (connection {id})");
            if (_limiter.TryAdmit(peer.Address) is { } refusal)
            {
                _refusals.Hit(refusal, $"refused connection {id} from {peer}: {refusal[2..]}");
                Refusal.Send(socket, refusal);
                continue;
            }

            var session = new AsyncSession(id, socket, _settings, _room);
            _sessions[id] = session;
            _ = session.RunAsync(Ended);
        }
    }

    private void Ended(AsyncSession session)
    {
        _sessions.TryRemove(session.Id, out _);
        _limiter.Release(session.Peer.Address);
        session.Dispose();
    }
}

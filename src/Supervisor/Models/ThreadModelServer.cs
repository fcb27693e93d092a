using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ChatFork.Platform;
using ChatFork.Supervisor.Room;
using ChatFork.Supervisor.Logging;
using NLog;

namespace ChatFork.Supervisor.Models;

/// <summary>
/// The thread model, for the comparison lab: the classic Windows-style server the course teaches. One process; an
/// accept loop; for each connection a dedicated OS thread with blocking reads (and a writer thread). The room is
/// shared by all of them, guarded by one lock. Cheap to start a connection (a thread, not a process), but every
/// client lives in one address space: one bad thread (try /crash with --enable-crash-command) ends them all.
/// </summary>
internal sealed class ThreadModelServer : IServerModel
{
    private static readonly Logger s_log = LogManager.GetLogger("supervisor");

    private readonly RefusalLog _refusals = new(s_log);
    private readonly ServerSettings _settings;
    private readonly Socket _listener;
    private readonly IProcessPlatform _platform = ProcessPlatform.Current;
    private readonly ConnectionLimiter _limiter;
    private readonly ChatRoom? _room;
    private readonly Lock _roomLock = new();
    private readonly ConcurrentDictionary<long, ThreadSession> _sessions = new();
    private readonly Thread _acceptThread;
    private volatile bool _stopping;
    private long _nextId;

    public ThreadModelServer(ServerSettings settings, Socket listener, string endpoint)
    {
        _settings = settings;
        _listener = listener;
        _limiter = new ConnectionLimiter(settings);
        if (settings.Mode == ServerMode.Chat)
        {
            _room = new ChatRoom(new InProcessTable(Sessions, _platform, endpoint, "thread"));
            _room.ProcessLater = e =>
            {
                lock (_roomLock)
                {
                    _room.Process(e);
                    _room.FlushDirty();
                }
            };
        }

        _acceptThread = new Thread(AcceptLoop) { IsBackground = true, Name = "accept loop" };
    }

    public string Description => $"a thread per connection, up to {_settings.MaxClients}";

    public Task StartAsync()
    {
        _acceptThread.Start();
        return Task.CompletedTask;
    }

    public async Task<int> ShutdownAsync(string reason, CancellationToken forced)
    {
        var stopwatch = Stopwatch.StartNew();
        _stopping = true;
        _limiter.Close();
        _listener.Dispose();
        _acceptThread.Join(TimeSpan.FromSeconds(2));
        var sessions = _sessions.Values.ToList();
        s_log.Info($"shutting down ({reason}): no new connections; telling {sessions.Count} clients");
        await Task.WhenAll(sessions.Select(s => Task.Run(s.Shutdown)));

        var deadline = Stopwatch.GetTimestamp() + (long)(_settings.ShutdownTimeout.TotalSeconds * Stopwatch.Frequency);
        while (!_sessions.IsEmpty && !forced.IsCancellationRequested && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(10, CancellationToken.None);
        }

        _refusals.Flush();
        if (_sessions.IsEmpty)
        {
            s_log.Info($"shut down cleanly in {stopwatch.Elapsed.TotalSeconds:0.00} s: all {sessions.Count} connection threads ended");
            return 0;
        }

        s_log.Warn($"shut down in {stopwatch.Elapsed.TotalSeconds:0.00} s with {_sessions.Count} connection threads still running; the process exit ends them");
        return 1;
    }

    public void Dispose()
    {
    }

    private IReadOnlyList<SessionInfo> Sessions() =>
        _sessions.Values.Select(s => new SessionInfo(s.Id, s.ThreadId, s.Peer.ToString(), s.Since)).ToList();

    private void AcceptLoop()
    {
        while (!_stopping)
        {
            Socket socket;
            try
            {
                socket = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_stopping)
                {
                    return;
                }

                Thread.Sleep(100);
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

            var session = new ThreadSession(id, socket, _settings, _room, _roomLock, _platform, Ended);
            _sessions[id] = session;
            session.Start();
        }
    }

    private void Ended(ThreadSession session)
    {
        _sessions.TryRemove(session.Id, out _);
        _limiter.Release(session.Peer.Address);
    }
}

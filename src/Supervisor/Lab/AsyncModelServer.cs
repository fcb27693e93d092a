using System.Diagnostics;
using System.Net.Sockets;
using ChatFork.Supervisor.Room;
using NLog;

namespace ChatFork.Supervisor.Lab;

/// <summary>
/// The async model, for the comparison lab ("shouldn't we do IOCP?"): one process, no thread per client. Accepts
/// and reads are awaited; the runtime multiplexes every socket on a few threads (epoll on Linux, I/O completion
/// ports on Windows). The room is the same single loop the process model uses.
/// </summary>
internal sealed class AsyncModelServer : IServerModel
{
    private static readonly Logger s_log = LogManager.GetLogger("supervisor");

    private readonly ServerSettings _settings;
    private readonly Socket _listener;
    private readonly SessionRegistry<AsyncSession> _sessions;
    private readonly ChatRoom? _room;
    private readonly CancellationTokenSource _stopping = new();
    private Task _acceptLoop = Task.CompletedTask;
    private Task _roomLoop = Task.CompletedTask;

    public AsyncModelServer(ServerSettings settings, Socket listener, string endpoint)
    {
        _settings = settings;
        _listener = listener;
        _sessions = new SessionRegistry<AsyncSession>(settings);
        if (settings.Mode == ServerMode.Chat)
        {
            _room = new ChatRoom(new InProcessTable(_sessions.Describe, endpoint, "async"));
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
        _listener.Dispose();
        await _acceptLoop.ContinueWith(_ => { }, TaskScheduler.Default);
        _sessions.Close();
        var sessions = _sessions.All.ToList();
        s_log.Info($"shutting down ({reason}): no new connections; telling {sessions.Count} clients");
        foreach (var session in sessions)
        {
            session.Shutdown();
        }

        var clean = await _sessions.WaitUntilEmptyAsync(_settings.ShutdownTimeout, forced);
        _room?.Complete();
        await _roomLoop.WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        if (clean)
        {
            s_log.Info($"shut down cleanly in {stopwatch.Elapsed.TotalSeconds:0.00} s: all {sessions.Count} connections closed");
            return 0;
        }

        s_log.Warn($"shut down in {stopwatch.Elapsed.TotalSeconds:0.00} s with {_sessions.All.Count} connections still open; the process exit closes them");
        return 1;
    }

    public void Dispose() => _stopping.Dispose();

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

            if (_sessions.Admit(socket, id => new AsyncSession(id, socket, _settings, _room)) is { } session)
            {
                _ = session.RunAsync(Ended);
            }
        }
    }

    private void Ended(AsyncSession session)
    {
        _sessions.Remove(session);
        session.Dispose();
    }
}

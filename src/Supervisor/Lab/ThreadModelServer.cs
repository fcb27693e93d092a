using System.Diagnostics;
using System.Net.Sockets;
using NLog;

namespace ChatFork.Supervisor.Lab;

/// <summary>
/// The thread model, for the comparison lab: the classic Windows-style server the course teaches. One process; an
/// accept loop; for each connection a dedicated OS thread with blocking reads (and a writer thread, started only if
/// the client falls behind). The room is shared by all of them, guarded by one lock (LockedRoom). Cheap to start a connection (a
/// thread, not a process), but every client lives in one address space: one bad thread (try /crash with
/// --enable-crash-command) ends them all.
/// </summary>
internal sealed class ThreadModelServer : IServerModel
{
    private static readonly Logger s_log = LogManager.GetLogger("supervisor");

    private readonly ServerSettings _settings;
    private readonly Socket _listener;
    private readonly SessionRegistry<ThreadSession> _sessions;
    private readonly LockedRoom? _room;
    private readonly Thread _acceptThread;
    private volatile bool _stopping;

    public ThreadModelServer(ServerSettings settings, Socket listener, string endpoint)
    {
        _settings = settings;
        _listener = listener;
        _sessions = new SessionRegistry<ThreadSession>(settings);
        if (settings.Mode == ServerMode.Chat)
        {
            _room = new LockedRoom(new InProcessTable(_sessions.Describe, endpoint, "thread"));
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
        _listener.Dispose();
        _acceptThread.Join(TimeSpan.FromSeconds(2));
        _sessions.Close();
        var sessions = _sessions.All.ToList();
        s_log.Info($"shutting down ({reason}): no new connections; telling {sessions.Count} clients");
        await Task.WhenAll(sessions.Select(s => Task.Run(s.Shutdown)));

        if (await _sessions.WaitUntilEmptyAsync(_settings.ShutdownTimeout, forced))
        {
            s_log.Info($"shut down cleanly in {stopwatch.Elapsed.TotalSeconds:0.00} s: all {sessions.Count} connection threads ended");
            return 0;
        }

        s_log.Warn($"shut down in {stopwatch.Elapsed.TotalSeconds:0.00} s with {_sessions.All.Count} connection threads still running; the process exit ends them");
        return 1;
    }

    public void Dispose()
    {
    }

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

            _sessions.Admit(socket, id => new ThreadSession(id, socket, _settings, _room, Ended))?.Start();
        }
    }

    private void Ended(ThreadSession session) => _sessions.Remove(session);
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ChatFork.Supervisor.Logging;
using NLog;

namespace ChatFork.Supervisor.Lab;

/// <summary>
/// The in-process models' table of sessions (the counterpart of the process model's WorkerRegistry): admission by
/// <c>--max-clients</c> and <c>--max-clients-per-ip</c>, refusals on the raw socket logged once per burst, and the
/// sessions alive now, for /ps and for shutdown.
/// </summary>
internal sealed class SessionRegistry<TSession> where TSession : InProcessSession
{
    private static readonly Logger s_log = LogManager.GetLogger("accept");

    private readonly Lock _lock = new();
    private readonly AdmissionRules _admission;
    private readonly RefusalLog _refusals = new(s_log);
    private readonly ConcurrentDictionary<long, TSession> _sessions = new();
    private long _nextId;
    private int _admitted; // counted from the admission on, a little before the session is in _sessions
    private bool _closed;

    public SessionRegistry(ServerSettings settings)
    {
        _admission = new AdmissionRules(settings);
    }

    public ICollection<TSession> All => _sessions.Values;

    /// <summary>The sessions alive now, for /ps.</summary>
    public IReadOnlyList<SessionInfo> Describe() =>
        _sessions.Values.Select(s => new SessionInfo(s.Id, s.ThreadId, s.Peer.ToString(), s.Since)).ToList();

    /// <summary>Logs the accept and applies the limits; creates and registers the session if it may stay.</summary>
    public TSession? Admit(Socket socket, Func<long, TSession> create)
    {
        var id = Interlocked.Increment(ref _nextId);
        var peer = socket.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
        s_log.Info($"accepted {peer} (connection {id})");
        if (TryAdmit(peer.Address) is { } refusal)
        {
            _refusals.Hit(refusal, $"refused connection {id} from {peer}: {refusal[2..]}");
            Refusal.Send(socket, refusal);
            return null;
        }

        var session = create(id);
        _sessions[id] = session;
        return session;
    }

    /// <summary>An ended session: it no longer counts against the limits.</summary>
    public void Remove(TSession session)
    {
        if (_sessions.TryRemove(session.Id, out _))
        {
            lock (_lock)
            {
                _admitted--;
                _admission.Release(session.Peer.Address);
            }
        }
    }

    /// <summary>No more admissions; says how many refusals were held back.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }

        _refusals.Flush();
    }

    /// <summary>Waits until every session has ended (true), or the timeout or a second signal (false).</summary>
    public async Task<bool> WaitUntilEmptyAsync(TimeSpan timeout, CancellationToken forced)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!_sessions.IsEmpty && !forced.IsCancellationRequested && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(10, CancellationToken.None);
        }

        return _sessions.IsEmpty;
    }

    // Null if the connection may stay (and is counted), else the line to refuse it with.
    private string? TryAdmit(IPAddress address)
    {
        lock (_lock)
        {
            if (_admission.Check(_closed, _admitted, address) is { } refusal)
            {
                return refusal;
            }

            _admitted++;
            _admission.Count(address);
            return null;
        }
    }
}

using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Sessions;
using ChatFork.Supervisor.Room;
using NLog;

namespace ChatFork.Supervisor.Lab;

/// <summary>
/// One client in the thread model: a dedicated OS thread that reads with blocking calls and runs the same line
/// handlers a worker runs, plus the connection's writer thread. Ending it closes the connection and unwinds the
/// thread; nothing else in the process is touched (unless the code is wrong: then the whole server goes).
/// </summary>
internal sealed class ThreadSession : ISessionControl
{
    private static readonly Logger s_log = LogManager.GetLogger("thread");
    private static readonly TimeSpan s_flushTimeout = TimeSpan.FromSeconds(2);

    private readonly ServerSettings _settings;
    private readonly Socket _socket;
    private readonly LockedRoom? _room;
    private readonly IProcessPlatform _platform;
    private readonly Action<ThreadSession> _ended;
    private ClientConnection? _client;
    private int _ending;
    private LeaveReason _reason = LeaveReason.ConnectionError;
    private string _detail = "";

    public ThreadSession(long id, Socket socket, ServerSettings settings, LockedRoom? room, IProcessPlatform platform, Action<ThreadSession> ended)
    {
        Id = id;
        _socket = socket;
        _settings = settings;
        _room = room;
        _platform = platform;
        _ended = ended;
        Peer = socket.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
        Since = DateTimeOffset.Now;
    }

    public long Id { get; }

    public IPEndPoint Peer { get; }

    public DateTimeOffset Since { get; }

    /// <summary>The OS thread serving this client, once it runs.</summary>
    public int? ThreadId { get; private set; }

    public void Start() => new Thread(Run) { IsBackground = true, Name = $"client {Id}" }.Start();

    [DoesNotReturn]
    public void EndSession(LeaveReason reason, string detail, string? lastLine)
    {
        if (TryBeginEnd(reason, detail))
        {
            if (reason == LeaveReason.TooSlow)
            {
                _client?.Abort(lastLine);
            }
            else
            {
                _client?.CloseGracefully(lastLine, s_flushTimeout);
            }
        }

        throw new SessionEndedException();
    }

    [DoesNotReturn]
    public void EndTooSlow() =>
        EndSession(LeaveReason.TooSlow, "client is not reading (--send-queue)", SessionEnds.NotReadingLine);

    [DoesNotReturn]
    public void EndRoomGone() => EndSession(LeaveReason.Shutdown, "the room is gone", Refusal.ShuttingDown);

    /// <summary>From another thread (the room, under its lock): cut this client off. Never blocks, never throws.</summary>
    public void Drop(string reason)
    {
        if (TryBeginEnd(LeaveReason.TooSlow, reason))
        {
            var client = _client;
            _ = Task.Run(() => client?.Abort(SessionEnds.NotReadingLine));
        }
    }

    /// <summary>From the shutdown: say goodbye and close; this session's thread then unwinds by itself.</summary>
    public void Shutdown()
    {
        if (TryBeginEnd(LeaveReason.Shutdown, "server shutdown"))
        {
            _client?.CloseGracefully(Refusal.ShuttingDown, s_flushTimeout);
        }
    }

    private bool TryBeginEnd(LeaveReason reason, string detail)
    {
        if (Interlocked.Exchange(ref _ending, 1) != 0)
        {
            return false;
        }

        _reason = reason;
        _detail = detail;
        return true;
    }

    private void Run()
    {
        ThreadId = _platform.CurrentThreadId();
        s_log.Info($"thread {ThreadId} serves connection {Id} ({Peer})");
        LockedRoomLink? link = null;
        try
        {
            _client = new ClientConnection(_socket, _settings.SendQueue);
            ILineHandler handler;
            if (_room is null)
            {
                handler = new EchoLineHandler(this, _client);
            }
            else
            {
                var member = new InProcessMember(Id, Peer.ToString(), _client,
                    $"thread {ThreadId} of process {Environment.ProcessId}", $"thread {ThreadId}", Drop);
                link = new LockedRoomLink(_room, member);
                handler = new ChatLineHandler(this, _client, link, _settings.AllowCrash);
                _client.AppendLine(Greeting.Welcome(member.ServedBy));
                link.Join();
                link.Flush();
            }

            if (Volatile.Read(ref _ending) != 0)
            {
                _client.CloseGracefully(Refusal.ShuttingDown, s_flushTimeout); // shut down while it was starting
            }
            else
            {
                BlockingSession.Run(_client, handler, this, _settings.MaxLine, _settings.IdleTimeout);
            }
        }
        catch (SessionEndedException)
        {
            // The normal way out.
        }
        catch (Exception e)
        {
            s_log.Error(e, $"thread {ThreadId} (connection {Id}) failed");
            _client?.Abort(null);
        }
        finally
        {
            var how = $"{LeaveReasons.Describe(_reason)}; thread {ThreadId} ended";
            link?.Leave(how);
            link?.Flush();
            s_log.Info($"thread {ThreadId} ended: connection {Id} ({Peer}), {LeaveReasons.Describe(_reason)} ({_detail})");
            _ended(this);
        }
    }
}

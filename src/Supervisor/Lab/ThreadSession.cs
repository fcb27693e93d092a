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
internal sealed class ThreadSession : InProcessSession
{
    private static readonly Logger s_log = LogManager.GetLogger("thread");

    private readonly Socket _socket;
    private readonly LockedRoom? _room;
    private readonly Action<ThreadSession> _ended;
    private ClientConnection? _client;
    private int? _threadId;

    public ThreadSession(long id, Socket socket, ServerSettings settings, LockedRoom? room, Action<ThreadSession> ended)
        : base(id, socket, settings)
    {
        _socket = socket;
        _room = room;
        _ended = ended;
    }

    /// <summary>The OS thread serving this client, once it runs.</summary>
    public override int? ThreadId => _threadId;

    protected override string ServedBy => $"thread {ThreadId} of process {Environment.ProcessId}";

    protected override string ServedByShort => $"thread {ThreadId}";

    public void Start() => new Thread(Run) { IsBackground = true, Name = $"client {Id}" }.Start();

    // On the session's own thread: close now, then unwind.
    protected override void EndedFromInside() => Close(_client);

    // The blocked read on the session's thread wakes when the socket closes. A slow client is cut off from the room,
    // under the room's lock, so the abort runs elsewhere; a shutdown may wait for the goodbye to go out.
    protected override void EndedFromOutside()
    {
        var client = _client;
        if (Reason == LeaveReason.TooSlow)
        {
            _ = Task.Run(() => Close(client));
        }
        else
        {
            Close(client);
        }
    }

    private void Close(ClientConnection? client)
    {
        if (Reason == LeaveReason.TooSlow)
        {
            client?.Abort(LastLine);
        }
        else
        {
            client?.CloseGracefully(LastLine, FlushTimeout);
        }
    }

    private void Run()
    {
        _threadId = OsThread.CurrentId();
        s_log.Info($"thread {ThreadId} serves connection {Id} ({Peer})");
        LockedRoomLink? link = null;
        try
        {
            _client = new ClientConnection(_socket, Settings.SendQueue);
            var room = _room;
            Func<IRoomMember, LockedRoomLink>? linkTo = room is null ? null : member => new LockedRoomLink(room, member);
            var handler = StartHandler(_client, linkTo, out link);
            link?.Flush();

            if (IsEnding)
            {
                _client.CloseGracefully(Refusal.ShuttingDown, FlushTimeout); // shut down while it was starting
            }
            else
            {
                BlockingSession.Run(_client, handler, this, Settings.MaxLine, Settings.IdleTimeout);
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
            var how = $"{LeaveReasons.Describe(Reason)}; thread {ThreadId} ended";
            link?.Leave(how);
            link?.Flush();
            s_log.Info($"thread {ThreadId} ended: connection {Id} ({Peer}), {LeaveReasons.Describe(Reason)} ({Detail})");
            _ended(this);
        }
    }
}

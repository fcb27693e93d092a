using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using ChatFork.Protocol;
using ChatFork.Sessions;
using ChatFork.Supervisor.Room;

namespace ChatFork.Supervisor.Lab;

/// <summary>
/// What a client's session inside the server's own process does the same way in the thread model and the async
/// model: who it is (connection number, peer, since when), ending once (the first reason wins, whoever gives it), and
/// its start in chat mode (the member the room sees, the welcome line, the join). What differs is left to
/// <see cref="ThreadSession"/> (blocking calls on a thread of its own) and <see cref="AsyncSession"/> (awaits): how a
/// session reads, how it closes its connection, and how it is woken when ended from elsewhere.
/// </summary>
internal abstract class InProcessSession : ISessionControl
{
    /// <summary>How long a closing connection may take to send its last lines.</summary>
    protected static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(2);

    private int _ending;

    protected InProcessSession(long id, Socket socket, ServerSettings settings)
    {
        Id = id;
        Settings = settings;
        Peer = socket.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
        Since = DateTimeOffset.Now;
    }

    public long Id { get; }

    public IPEndPoint Peer { get; }

    public DateTimeOffset Since { get; }

    /// <summary>The OS thread serving this client, if one does (the thread model, once it runs).</summary>
    public virtual int? ThreadId => null;

    protected ServerSettings Settings { get; }

    /// <summary>Why it ended (ConnectionError until someone says otherwise).</summary>
    protected LeaveReason Reason { get; private set; } = LeaveReason.ConnectionError;

    protected string Detail { get; private set; } = "";

    /// <summary>What the client is told last, if anything.</summary>
    protected string? LastLine { get; private set; }

    protected bool IsEnding => Volatile.Read(ref _ending) != 0;

    /// <summary>Who serves this client, for the welcome line and the room ("thread 4251 of process 4200").</summary>
    protected abstract string ServedBy { get; }

    /// <summary>The same, short, for notices and /who.</summary>
    protected abstract string ServedByShort { get; }

    [DoesNotReturn]
    public void EndSession(LeaveReason reason, string detail, string? lastLine)
    {
        if (TryBeginEnd(reason, detail, lastLine))
        {
            EndedFromInside();
        }

        throw new SessionEndedException();
    }

    [DoesNotReturn]
    public void EndTooSlow() =>
        EndSession(LeaveReason.TooSlow, "client is not reading (--send-queue)", SessionEnds.NotReadingLine);

    [DoesNotReturn]
    public void EndRoomGone() => EndSession(LeaveReason.Shutdown, "the room is gone", Refusal.ShuttingDown);

    /// <summary>From the room (under its lock, or on its loop): cut this client off. Never blocks, never throws.</summary>
    public void Drop(string reason) => Stop(LeaveReason.TooSlow, reason, SessionEnds.NotReadingLine);

    /// <summary>From the shutdown: say goodbye and close; the session then unwinds by itself.</summary>
    public void Shutdown() => Stop(LeaveReason.Shutdown, "server shutdown", Refusal.ShuttingDown);

    /// <summary>The session's own code ended it (<see cref="EndSession"/>), just before it unwinds.</summary>
    protected abstract void EndedFromInside();

    /// <summary>Another thread ended it (<see cref="Drop"/>, <see cref="Shutdown"/>): wake the session so it closes.</summary>
    protected abstract void EndedFromOutside();

    /// <summary>
    /// The line handler for this session: echo, or chat through <paramref name="link"/> (made by
    /// <paramref name="linkTo"/> for this session's member). In chat mode the welcome line is queued on
    /// <paramref name="client"/> and the join on the link; the caller sends both.
    /// </summary>
    protected ILineHandler StartHandler<TLink>(IClientOutput client, Func<IRoomMember, TLink>? linkTo, out TLink? link)
        where TLink : RoomLink
    {
        if (linkTo is null)
        {
            link = null;
            return new EchoLineHandler(this, client);
        }

        var member = new InProcessMember(Id, Peer.ToString(), client, ServedBy, ServedByShort, Drop);
        link = linkTo(member);
        client.AppendLine(Greeting.Welcome(member.ServedBy));
        link.Join();
        return new ChatLineHandler(this, client, link, Settings.AllowCrash);
    }

    private void Stop(LeaveReason reason, string detail, string lastLine)
    {
        if (TryBeginEnd(reason, detail, lastLine))
        {
            EndedFromOutside();
        }
    }

    private bool TryBeginEnd(LeaveReason reason, string detail, string? lastLine)
    {
        if (Interlocked.Exchange(ref _ending, 1) != 0)
        {
            return false;
        }

        Reason = reason;
        Detail = detail;
        LastLine = lastLine;
        return true;
    }
}

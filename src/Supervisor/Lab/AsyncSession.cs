using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using ChatFork.Protocol;
using ChatFork.Sessions;
using ChatFork.Supervisor.Room;
using ChatFork.Text;
using NLog;

namespace ChatFork.Supervisor.Lab;

/// <summary>
/// One client in the async model: a chain of awaits, not a thread. Each read is awaited; its lines go through the
/// same handlers a worker runs; room events are posted to the room's loop.
/// </summary>
internal sealed class AsyncSession : ISessionControl, IDisposable
{
    private static readonly Logger s_log = LogManager.GetLogger("session");
    private static readonly TimeSpan s_flushTimeout = TimeSpan.FromSeconds(2);

    private readonly ServerSettings _settings;
    private readonly AsyncClientConnection _client;
    private readonly ChatRoom? _room;
    private readonly CancellationTokenSource _ended = new();
    private int _ending;
    private LeaveReason _reason = LeaveReason.ConnectionError;
    private string _detail = "";
    private string? _lastLine;

    public AsyncSession(long id, Socket socket, ServerSettings settings, ChatRoom? room)
    {
        Id = id;
        _settings = settings;
        _room = room;
        Peer = socket.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
        Since = DateTimeOffset.Now;
        _client = new AsyncClientConnection(socket, settings.SendQueue);
    }

    public long Id { get; }

    public IPEndPoint Peer { get; }

    public DateTimeOffset Since { get; }

    [DoesNotReturn]
    public void EndSession(LeaveReason reason, string detail, string? lastLine)
    {
        TryBeginEnd(reason, detail, lastLine);
        throw new SessionEndedException();
    }

    [DoesNotReturn]
    public void EndTooSlow() =>
        EndSession(LeaveReason.TooSlow, "client is not reading (--send-queue)", SessionEnds.NotReadingLine);

    [DoesNotReturn]
    public void EndRoomGone() => EndSession(LeaveReason.Shutdown, "the room is gone", Refusal.ShuttingDown);

    /// <summary>From elsewhere (the room's loop, the shutdown): end this session; its read loop wakes and closes.</summary>
    public void Stop(LeaveReason reason, string detail, string lastLine)
    {
        if (TryBeginEnd(reason, detail, lastLine))
        {
            _ended.Cancel();
        }
    }

    public async Task RunAsync(Action<AsyncSession> ended)
    {
        ChannelRoomLink? link = null;
        try
        {
            ILineHandler handler;
            if (_room is null)
            {
                handler = new EchoLineHandler(this, _client);
            }
            else
            {
                var member = new InProcessMember(Id, Peer.ToString(), _client,
                    $"the event loop of process {Environment.ProcessId} (connection {Id})", $"connection {Id}",
                    reason => Stop(LeaveReason.TooSlow, reason, SessionEnds.NotReadingLine));
                link = new ChannelRoomLink(_room, member);
                handler = new ChatLineHandler(this, _client, link, _settings.AllowCrash);
                _client.AppendLine(Greeting.Welcome(member.ServedBy));
                _client.Commit();
                link.Join();
                await link.PostAsync();
            }

            await ReadLinesAsync(handler, link);
        }
        catch (SessionEndedException)
        {
            // The normal way out.
        }
        catch (OperationCanceledException) when (Volatile.Read(ref _ending) != 0)
        {
            // Stopped from elsewhere.
        }
        catch (Exception e)
        {
            s_log.Error(e, $"connection {Id} failed");
        }
        finally
        {
            if (_reason == LeaveReason.TooSlow)
            {
                _client.Abort(_lastLine);
            }
            else
            {
                await _client.CloseGracefullyAsync(_lastLine, s_flushTimeout);
            }

            if (link is not null)
            {
                link.Leave($"{LeaveReasons.Describe(_reason)}; connection {Id} closed");
                await link.PostAsync();
            }

            s_log.Info($"connection {Id} ({Peer}) ended: {LeaveReasons.Describe(_reason)} ({_detail})");
            ended(this);
        }
    }

    public void Dispose()
    {
        _ended.Dispose();
        _client.Dispose();
    }

    private async Task ReadLinesAsync(ILineHandler handler, ChannelRoomLink? link)
    {
        var splitter = new LineSplitter(_settings.MaxLine);
        var buffer = new byte[8 * 1024];
        var idle = _settings.IdleTimeout;
        while (true)
        {
            int received;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_ended.Token))
            {
                if (idle > TimeSpan.Zero)
                {
                    timeout.CancelAfter(idle);
                }

                try
                {
                    received = await _client.ReceiveAsync(buffer, timeout.Token);
                }
                catch (OperationCanceledException) when (!_ended.IsCancellationRequested)
                {
                    SessionEnds.Idle(this, idle);
                    return;
                }
                catch (SocketException e)
                {
                    EndSession(LeaveReason.ConnectionError, $"connection failed: {e.Message}", null);
                    return;
                }
            }

            if (received == 0)
            {
                LineFeed.FeedRemainder(splitter, handler);
                EndSession(LeaveReason.ClientClosed, "client closed the connection", null);
            }

            LineFeed.Feed(splitter, buffer.AsSpan(0, received), handler, this);
            if (link is not null)
            {
                await link.PostAsync();
            }
        }
    }

    private bool TryBeginEnd(LeaveReason reason, string detail, string? lastLine)
    {
        if (Interlocked.Exchange(ref _ending, 1) != 0)
        {
            return false;
        }

        _reason = reason;
        _detail = detail;
        _lastLine = lastLine;
        return true;
    }
}

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
internal sealed class AsyncSession : InProcessSession, IDisposable
{
    private static readonly Logger s_log = LogManager.GetLogger("session");

    private readonly AsyncClientConnection _client;
    private readonly ChatRoom? _room;
    private readonly CancellationTokenSource _ended = new();

    public AsyncSession(long id, Socket socket, ServerSettings settings, ChatRoom? room)
        : base(id, socket, settings)
    {
        _room = room;
        _client = new AsyncClientConnection(socket, settings.SendQueue);
    }

    protected override string ServedBy => $"the event loop of process {Environment.ProcessId} (connection {Id})";

    protected override string ServedByShort => $"connection {Id}";

    public async Task RunAsync(Action<AsyncSession> ended)
    {
        ChannelRoomLink? link = null;
        try
        {
            var room = _room;
            Func<IRoomMember, ChannelRoomLink>? linkTo = room is null ? null : member => new ChannelRoomLink(room, member);
            var handler = StartHandler(_client, linkTo, out link);
            if (link is not null)
            {
                _client.Commit();
                await link.PostAsync();
            }

            await ReadLinesAsync(handler, link);
        }
        catch (SessionEndedException)
        {
            // The normal way out.
        }
        catch (OperationCanceledException) when (IsEnding)
        {
            // Stopped from elsewhere.
        }
        catch (Exception e)
        {
            s_log.Error(e, $"connection {Id} failed");
        }
        finally
        {
            if (Reason == LeaveReason.TooSlow)
            {
                _client.Abort(LastLine);
            }
            else
            {
                await _client.CloseGracefullyAsync(LastLine, FlushTimeout);
            }

            if (link is not null)
            {
                link.Leave($"{LeaveReasons.Describe(Reason)}; connection {Id} closed");
                await link.PostAsync();
            }

            s_log.Info($"connection {Id} ({Peer}) ended: {LeaveReasons.Describe(Reason)} ({Detail})");
            ended(this);
        }
    }

    public void Dispose()
    {
        _ended.Dispose();
        _client.Dispose();
    }

    // Nothing to do here: the session unwinds to RunAsync's finally, which closes the connection.
    protected override void EndedFromInside()
    {
    }

    // Wakes the awaited read; the session then unwinds and closes as above.
    protected override void EndedFromOutside() => _ended.Cancel();

    private async Task ReadLinesAsync(ILineHandler handler, ChannelRoomLink? link)
    {
        var splitter = new LineSplitter(Settings.MaxLine);
        var buffer = new byte[8 * 1024];
        var idle = Settings.IdleTimeout;
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
}

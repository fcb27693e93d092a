using System.Diagnostics;
using System.Text;
using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Supervisor.Logging;
using ChatFork.Supervisor.Room;
using NLog;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// The moment a socket leaves the supervisor for good: the welcome line on the raw socket (chat mode), the hand-off
/// frame with the socket itself down the worker's pipe, and the client's entry into the room.
/// </summary>
internal sealed class HandOff
{
    private static readonly Logger s_log = LogManager.GetLogger("handoff");

    private readonly ISocketHandOff _handOff;
    private readonly ChatRoom? _room;

    public HandOff(ISocketHandOff handOff, ChatRoom? room)
    {
        _handOff = handOff;
        _room = room;
    }

    public string Name => _handOff.Name;

    /// <summary>Gives <paramref name="connection"/> to <paramref name="slot"/>, which the registry assigned it to.</summary>
    public void Give(WorkerSlot slot, PendingConnection connection)
    {
        try
        {
            if (_room is not null)
            {
                SendWelcome(connection, slot.Member);
            }

            slot.Outbox.HandOff(_handOff, connection.Socket, new HandoffMessage(0, null), beforeSend: () =>
            {
                slot.Life.HandedOff(joined: _room is not null);
                // The client joins the room now, before its socket leaves, not when its worker says Ready: the greeting
                // then follows the hand-off frame down the pipe at once and meets the worker as it takes the socket (a
                // round trip saved), and the room knows the member before its first line can arrive. The outbox holds
                // every room line until the hand-off frame is out, so nothing reaches the worker before its socket.
                _room?.PostReliably(new RoomEvent(RoomEventKind.Joined, slot.Member));
            });
            var waited = Stopwatch.GetElapsedTime(connection.AcceptedTimestamp);
            s_log.Event(LogLevel.Info, LogEvents.HandedOff, $"handed connection {connection.Id} ({connection.PeerText}) to worker {slot.ProcessId} {waited.TotalMilliseconds:0.0} ms after accept");
        }
        catch (Exception e)
        {
            connection.Socket.Dispose();
            s_log.Event(LogLevel.Error, LogEvents.HandOffFailed, $"could not hand connection {connection.Id} ({connection.PeerText}) to worker {slot.ProcessId}: {e.Message}; closing it and killing the worker");
            slot.Kill("the hand-off failed");
        }
    }

    // A fresh socket's send buffer is empty: a hundred bytes never block. Synchronous on purpose (see AcceptLoop).
    private static void SendWelcome(PendingConnection connection, IRoomMember member)
    {
        try
        {
            connection.Socket.Send(Encoding.UTF8.GetBytes(Greeting.Welcome(member.ServedBy) + "\r\n"));
        }
        catch (System.Net.Sockets.SocketException)
        {
            // Gone already; the worker will find out.
        }
    }
}

using System.Net;
using System.Net.Sockets;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// An accepted client socket on its way to a worker. The supervisor holds it only until the hand-off (or a
/// refusal); it never reads from it, and never starts an asynchronous operation on it (see DuplicateSocketHandOff),
/// but for the welcome line written just before the hand-off.
/// </summary>
internal sealed class PendingConnection
{
    public PendingConnection(long id, Socket socket, IPEndPoint peer, long acceptedTimestamp)
    {
        Id = id;
        Socket = socket;
        Peer = peer;
        PeerText = peer.ToString();
        AcceptedTimestamp = acceptedTimestamp;
    }

    /// <summary>The connection's number, counted from 1 since the supervisor started (guest-N uses it).</summary>
    public long Id { get; }

    public Socket Socket { get; }

    public IPEndPoint Peer { get; }

    public string PeerText { get; }

    /// <summary>When it was accepted, on <see cref="TimeProvider.GetTimestamp"/>'s clock.</summary>
    public long AcceptedTimestamp { get; }

    /// <summary>Set by the registry when the connection counts against its address's limit.</summary>
    public bool Counted { get; set; }

    public static PendingConnection Accepted(long id, Socket socket, TimeProvider time) =>
        new(id, socket, socket.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0), time.GetTimestamp());
}

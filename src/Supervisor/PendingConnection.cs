using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ChatFork.Supervisor;

/// <summary>
/// An accepted client socket on its way to a worker. The supervisor holds it only until the hand-off (or a
/// refusal); it never reads from it, and never starts an asynchronous operation on it (see WindowsProcessPlatform).
/// </summary>
internal sealed class PendingConnection
{
    public PendingConnection(long id, Socket socket)
    {
        Id = id;
        Socket = socket;
        Peer = socket.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
        PeerText = Peer.ToString();
        AcceptedTimestamp = Stopwatch.GetTimestamp();
        AcceptedAt = DateTimeOffset.Now;
    }

    /// <summary>The connection's number, counted from 1 since the supervisor started (guest-N uses it).</summary>
    public long Id { get; }

    public Socket Socket { get; }

    public IPEndPoint Peer { get; }

    public string PeerText { get; }

    public long AcceptedTimestamp { get; }

    public DateTimeOffset AcceptedAt { get; }

    /// <summary>Set by the registry when the connection counts against its address's limit.</summary>
    public bool Counted { get; set; }
}

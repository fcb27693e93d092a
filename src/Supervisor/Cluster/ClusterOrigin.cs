using ChatFork.Supervisor.Room;

namespace ChatFork.Supervisor.Cluster;

/// <summary>
/// The <see cref="RoomEvent.Member"/> of an event that no local member caused (a stream entry, a notice). It is never
/// one of the room's members, so nothing is ever delivered to it.
/// </summary>
internal sealed class ClusterOrigin : IRoomMember
{
    public static readonly ClusterOrigin Instance = new();

    private ClusterOrigin()
    {
    }

    public long Id => -1;

    public string ServedBy => "the cluster";

    public string ServedByShort => "the cluster";

    public string PeerEndPoint => "-";

    public bool Deliver(long sequence, ReadOnlySpan<byte> utf8Line) => true;

    public void Flush()
    {
    }

    public void Drop(string reason)
    {
    }
}

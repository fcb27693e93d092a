using ChatFork.Sessions;
using ChatFork.Supervisor.Room;

namespace ChatFork.Supervisor.Lab;

/// <summary>A client served inside the supervisor (thread or async model), as the room sees it.</summary>
internal sealed class InProcessMember : IRoomMember
{
    private readonly IClientOutput _output;
    private readonly Action<string> _drop;

    public InProcessMember(long id, string peerEndPoint, IClientOutput output, string servedBy, string servedByShort, Action<string> drop)
    {
        Id = id;
        PeerEndPoint = peerEndPoint;
        _output = output;
        ServedBy = servedBy;
        ServedByShort = servedByShort;
        _drop = drop;
    }

    public long Id { get; }

    public string PeerEndPoint { get; }

    public string ServedBy { get; }

    public string ServedByShort { get; }

    public bool Deliver(long sequence, ReadOnlySpan<byte> utf8Line) => _output.AppendLine(utf8Line);

    public void Flush() => _output.Commit();

    public void Drop(string reason) => _drop(reason);
}

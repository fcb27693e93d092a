using System.Text;
using ChatFork.Protocol;
using ChatFork.Supervisor.ProcessModel;

namespace ChatFork.Supervisor.Irc;

/// <summary>A worker, seen by the IRC server: its lines and frames go into the worker's bounded outbox.</summary>
internal sealed class IrcWorkerMember : IIrcMember
{
    private readonly WorkerSlot _slot;

    public IrcWorkerMember(WorkerSlot slot)
    {
        _slot = slot;
    }

    public long Id => _slot.Life.Connection?.Id ?? 0;

    public int WorkerProcessId => _slot.ProcessId;

    public string Host => _slot.Life.Connection?.Peer.Address.ToString() ?? "unknown";

    public bool Deliver(long sequence, ReadOnlySpan<byte> utf8Line) => _slot.Outbox.Deliver(sequence, utf8Line);

    public bool SendNick(string nick) => _slot.Outbox.Enqueue(FrameType.IrcNick, Encoding.UTF8.GetBytes(nick));

    public bool SendClose(string reason) => _slot.Outbox.Enqueue(FrameType.IrcClose, Encoding.UTF8.GetBytes(reason));

    public void Flush() => _slot.Outbox.Flush();

    public void Drop(string reason) => _slot.Kill(reason);
}

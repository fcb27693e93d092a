using System.Net;
using System.Net.Sockets;
using ChatFork.Platform;
using ChatFork.Supervisor.ProcessModel;

namespace ChatFork.Tests.Unit.Fakes;

/// <summary>Worker slots and connections for unit tests: a fake process, a real (never connected) pipe, an unconnected socket.</summary>
internal sealed class Slots : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private long _nextWorker;
    private long _nextConnection;

    public WorkerSlot NewSlot()
    {
        var id = ++_nextWorker;
        var name = Path.Combine(Path.GetTempPath(), $"chatfork-unit-{Environment.ProcessId}-{Guid.NewGuid():N}.pipe");
        var pipe = WorkerPipeServer.Listen(name);
        var slot = new WorkerSlot(id, new FakeWorkerProcess(), pipe, name, new byte[16], 64 * 1024, new RoomFlow());
        _owned.Add(slot);
        _owned.Add(new Deleter(name));
        return slot;
    }

    public PendingConnection NewConnection(string address, TimeProvider time)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _owned.Add(socket);
        return new PendingConnection(++_nextConnection, socket, new IPEndPoint(IPAddress.Parse(address), 40000 + (int)_nextConnection), time.GetTimestamp());
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    private sealed class Deleter(string path) : IDisposable
    {
        public void Dispose() => File.Delete(path);
    }
}

using System.Net.Sockets;

namespace ChatFork.Supervisor.Lab;

// The lab's models
// ================
//
// ChatFork's point is the process model: one worker process per connection, the socket handed over like fork()
// (Supervisor.cs says how). This folder holds the other ways to serve the same protocol, kept only so that the lab
// (`chatfork-bench lab`, docs/lab.md) can compare them with it on the same machine, under the same limits:
//
//   --model thread   ThreadModelServer: one OS thread per connection, blocking I/O, the room behind one lock
//                    (LockedRoom), the classic Windows-style server;
//   --model async    AsyncModelServer: one process, awaited sockets on the runtime's event loop, the room's own loop
//                    (ChatRoom), as the process model uses it;
//   --transport udp  UdpEchoServer: one socket for every peer, the contrast with connections.
//
// Both in-process models run one session per client (InProcessSession: ThreadSession or AsyncSession) over the
// same line handlers a worker runs (src/Shared/Sessions), are admitted by the same rules as workers
// (AdmissionRules) and answer /ps with the same table (PsTable).
//
// The dependency goes one way: the lab uses the supervisor's room, settings and refusals; nothing outside this
// folder uses the lab, except Supervisor.CreateModel choosing it. Delete the folder and the process model still
// builds and serves.

/// <summary>Makes the in-process server that <c>--model</c> asks for.</summary>
internal static class LabModels
{
    public static IServerModel Create(ServerSettings settings, Socket listener, string endpoint) => settings.Model switch
    {
        ServerModel.Thread => new ThreadModelServer(settings, listener, endpoint),
        ServerModel.Async => new AsyncModelServer(settings, listener, endpoint),
        _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Model, "not a lab model"),
    };
}

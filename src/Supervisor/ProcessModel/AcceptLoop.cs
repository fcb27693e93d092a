using System.Net;
using System.Net.Sockets;
using ChatFork.Supervisor.Logging;
using NLog;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// <c>listen(); for (;;) { accept(); fork(); }</c>: the classic server loop, on a thread of its own with a blocking
/// <c>accept</c>. Blocking on purpose: an accepted socket must not be tied to the supervisor's event loop (on
/// Windows, to its I/O completion port) before it is duplicated into a worker.
/// </summary>
internal sealed class AcceptLoop
{
    private static readonly Logger s_log = LogManager.GetLogger("accept");

    private readonly Socket _listener;
    private readonly Admission _admission;
    private readonly Thread _thread;
    private readonly BurstWarning _errors = new(s_log, TimeSpan.FromSeconds(5));
    private volatile bool _stopping;
    private long _nextConnectionId;

    public AcceptLoop(Socket listener, Admission admission)
    {
        _listener = listener;
        _admission = admission;
        _thread = new Thread(Run) { IsBackground = true, Name = "accept loop" };
    }

    /// <summary>Binds and listens; the socket is close-on-exec, as every socket .NET makes, so no worker inherits it.</summary>
    /// <exception cref="ChatForkException">The address cannot be bound (in use, not ours).</exception>
    /// <param name="backlog">Connections the kernel holds, accepted by it but not yet by this loop (<c>--listen-backlog</c>;
    /// the kernel caps it at net.core.somaxconn).</param>
    public static Socket Bind(IPAddress host, int port, int backlog)
    {
        var listener = new Socket(host.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(host, port));
            listener.Listen(backlog);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new ChatForkException($"Cannot listen on {host}:{port}: {e.Message}.", e);
        }

        return listener;
    }

    public void Start() => _thread.Start();

    public void Stop()
    {
        _stopping = true;
        // Closing the listener makes the blocked accept() return (.NET shuts the socket down to wake it).
        _listener.Dispose();
        _thread.Join(TimeSpan.FromSeconds(2));
        _errors.Flush();
    }

    private void Run()
    {
        while (!_stopping)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (Exception e) when (_stopping && e is SocketException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // EMFILE and friends: the connection stays in the backlog; pause rather than spin on the error.
                _errors.Hit($"accept failed: {e.Message}");
                Thread.Sleep(100);
                continue;
            }

            var connection = PendingConnection.Accepted(++_nextConnectionId, client, TimeProvider.System);
            s_log.Event(LogLevel.Info, LogEvents.ConnectionAccepted, $"accepted {connection.PeerText} (connection {connection.Id})");
            try
            {
                _admission.Accepted(connection);
            }
            catch (Exception e)
            {
                s_log.Error(e, $"could not dispatch connection {connection.Id}; closing it");
                client.Dispose();
            }
        }
    }
}

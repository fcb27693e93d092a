using System.Net.Sockets;
using ChatFork.Protocol;
using ChatFork.Text;

namespace ChatFork.Sessions;

/// <summary>
/// The read side of a session with blocking I/O on a thread of its own (a worker's main thread, or a connection
/// thread in the thread model): receive, cut into lines, hand each to the line handler, flush once per read.
/// Ends (through <see cref="ISessionControl"/>) on end of stream, a failed connection, an idle timeout, or a line
/// over the limit.
/// </summary>
public static class BlockingSession
{
    public static void Run(ClientConnection client, ILineHandler handler, ISessionControl session, int maxLineBytes, TimeSpan idleTimeout)
    {
        var splitter = new LineSplitter(maxLineBytes);
        var buffer = new byte[16 * 1024];
        while (true)
        {
            int received;
            try
            {
                received = client.Receive(buffer, idleTimeout);
            }
            catch (SocketException e)
            {
                session.EndSession(LeaveReason.ConnectionError, $"connection failed: {e.Message}", null);
                return; // not reached
            }
            catch (ObjectDisposedException)
            {
                // Another thread closed the socket (a slow client cut off, a shutdown): that path says why.
                session.EndSession(LeaveReason.ConnectionError, "connection closed", null);
                return; // not reached
            }

            if (received == 0)
            {
                LineFeed.FeedRemainder(splitter, handler);
                session.EndSession(LeaveReason.ClientClosed, "client closed the connection", null);
            }

            if (received < 0)
            {
                SessionEnds.Idle(session, idleTimeout);
            }

            LineFeed.Feed(splitter, buffer.AsSpan(0, received), handler, session);
        }
    }
}

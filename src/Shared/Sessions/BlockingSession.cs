using System.Net.Sockets;
using ChatFork.Protocol;
using ChatFork.Text;

namespace ChatFork.Sessions;

/// <summary>
/// The read side of a session with blocking I/O on a thread of its own (a worker's main thread, or a connection
/// thread in the thread model): receive, cut into lines, hand each to the line handler, flush once per read.
/// Ends (through <see cref="ISessionControl"/>) on end of stream, a failed connection, an idle timeout, a line
/// over the limit, a line that takes longer than the line timeout to arrive, or a flood (see <see cref="LinePacer"/>).
/// </summary>
internal static class BlockingSession
{
    public static void Run(ClientConnection client, ILineHandler handler, ISessionControl session, int maxLineBytes, TimeSpan idleTimeout) =>
        Run(client, handler, session, new SessionLimits(maxLineBytes, idleTimeout));

    public static void Run(ClientConnection client, ILineHandler handler, ISessionControl session, SessionLimits limits)
    {
        var splitter = new LineSplitter(limits.MaxLineBytes);
        var paced = new PacedLineHandler(handler, session, limits);
        var buffer = new byte[16 * 1024];
        // When the line in progress began (its first byte was read), or null between lines. A slowloris client
        // trickles bytes and never a newline: --idle-timeout never fires, so the line itself has a deadline.
        TimeSpan? lineStarted = null;
        while (true)
        {
            var idleLeft = limits.IdleTimeout > TimeSpan.Zero ? limits.IdleTimeout : TimeSpan.MaxValue;
            var lineLeft = TimeSpan.MaxValue;
            if (lineStarted is { } started && limits.LineTimeout > TimeSpan.Zero)
            {
                lineLeft = started + limits.LineTimeout - SessionClock.Now;
                if (lineLeft <= TimeSpan.Zero)
                {
                    SessionEnds.LineTimeout(session, limits.LineTimeout);
                }
            }

            var wait = lineLeft < idleLeft ? lineLeft : idleLeft;
            int received;
            try
            {
                received = client.Receive(buffer, wait == TimeSpan.MaxValue ? TimeSpan.Zero : wait);
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
                if (lineLeft < idleLeft)
                {
                    SessionEnds.LineTimeout(session, limits.LineTimeout);
                }

                SessionEnds.Idle(session, idleTimeout: limits.IdleTimeout);
            }

            var linesBefore = paced.Lines;
            LineFeed.Feed(splitter, buffer.AsSpan(0, received), paced, session);
            if (!splitter.HasPartialLine)
            {
                lineStarted = null;
            }
            else if (lineStarted is null || paced.Lines != linesBefore)
            {
                // Measured after the lines were passed on: time spent held back by the rate limit is not the client's.
                lineStarted = SessionClock.Now;
            }
        }
    }
}

using System.Net.Sockets;
using ChatFork.Irc;
using ChatFork.Protocol;
using ChatFork.Sessions;
using ChatFork.Text;

namespace ChatFork.Worker.Irc;

/// <summary>
/// The IRC worker's read loop: <see cref="BlockingSession"/> with IRC's keep-alive instead of a plain idle timeout.
/// It waits for the client at most until the ping timer's next deadline; then it sends a PING, or ends the session
/// with "Ping timeout: N seconds" if the client stayed silent after one. Any bytes from the client are a sign of
/// life.
/// </summary>
internal static class IrcSessionLoop
{
    public static void Run(ClientConnection client, IrcSession session, ISessionControl control, int maxLineBytes, IrcWorkerSettings settings)
    {
        var splitter = new LineSplitter(maxLineBytes);
        var buffer = new byte[16 * 1024];
        var ping = new IrcPingTimer(settings.PingInterval, settings.PingTimeout, Environment.TickCount64);
        while (true)
        {
            int received;
            try
            {
                received = client.Receive(buffer, ping.WaitFrom(Environment.TickCount64));
            }
            catch (SocketException e)
            {
                control.EndSession(LeaveReason.ConnectionError, $"Read error: {e.Message}", null);
                return; // not reached
            }
            catch (ObjectDisposedException)
            {
                control.EndSession(LeaveReason.ConnectionError, "Connection closed", null);
                return; // not reached
            }

            if (received == 0)
            {
                LineFeed.FeedRemainder(splitter, session);
                control.EndSession(LeaveReason.ClientClosed, "Remote host closed the connection", null);
            }

            if (received < 0)
            {
                switch (ping.Due(Environment.TickCount64))
                {
                    case IrcPingAction.SendPing:
                        session.SendPing();
                        break;
                    case IrcPingAction.TimedOut:
                        var why = $"Ping timeout: {ping.TotalSeconds} seconds";
                        control.EndSession(LeaveReason.Idle, why, IrcLine.ClosingLink(session.ClientHost, why));
                        break;
                }

                continue;
            }

            ping.Heard(Environment.TickCount64);
            LineFeed.Feed(splitter, buffer.AsSpan(0, received), session, control);
        }
    }
}

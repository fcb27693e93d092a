using System.Net.Sockets;
using System.Text;

namespace ChatFork.Supervisor;

/// <summary>
/// Turning a connection away: one line on the raw socket, then close. Said before any worker, thread or task exists
/// for it, so a refused client costs the server nothing but this.
/// </summary>
internal static class Refusal
{
    public const string ServerFull = "* server full, try again later";
    public const string TooManyFromAddress = "* too many connections from your address";
    public const string Busy = "* server busy, try again";
    public const string ShuttingDown = "* server shutting down";

    public static void Send(Socket socket, string line)
    {
        try
        {
            socket.SendTimeout = 200;
            socket.Send(Encoding.UTF8.GetBytes(line + "\r\n"));
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // It left already.
        }
        finally
        {
            socket.Dispose();
        }
    }
}

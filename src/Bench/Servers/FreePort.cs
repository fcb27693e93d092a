using System.Net;
using System.Net.Sockets;

namespace ChatFork.Bench.Servers;

/// <summary>
/// Picks a loopback port for peers that cannot be told to use port 0 and report it: bind port 0, read the port the
/// kernel chose, close. Another process could take it in between; the readiness wait notices if so.
/// </summary>
internal static class FreePort
{
    public static int Pick()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}

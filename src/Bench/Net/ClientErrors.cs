using System.Net.Sockets;

namespace ChatFork.Bench.Net;

/// <summary>Which exceptions mean "this client's exchange failed" (to be counted) rather than a bench bug.</summary>
internal static class ClientErrors
{
    public static bool IsExpected(Exception exception) =>
        exception is SocketException or OperationCanceledException or IOException or ObjectDisposedException
            or BenchException;

    /// <summary>A short reason for reports: the socket error, "timed out", or the message.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        SocketException socket => socket.SocketErrorCode.ToString(),
        OperationCanceledException => "timed out",
        _ => exception.Message,
    };
}

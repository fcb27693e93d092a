namespace ChatFork.Protocol;

/// <summary>Words for <see cref="LeaveReason"/> as the room reads them.</summary>
internal static class LeaveReasons
{
    public static string Describe(LeaveReason reason) => reason switch
    {
        LeaveReason.ClientClosed => "disconnected",
        LeaveReason.Quit => "quit",
        LeaveReason.LineTooLong => "line too long",
        LeaveReason.TooSlow => "too slow to read, disconnected",
        LeaveReason.Idle => "idle timeout",
        LeaveReason.Shutdown => "server shutdown",
        LeaveReason.ConnectionError => "connection error",
        LeaveReason.BadInput => "bad input",
        LeaveReason.LineTimeout => "line timeout",
        LeaveReason.Flood => "excess flood",
        _ => "unknown reason",
    };

    public static bool IsDefined(byte value) => value is >= (byte)LeaveReason.ClientClosed and <= (byte)LeaveReason.Flood;
}

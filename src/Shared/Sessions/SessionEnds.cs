using System.Diagnostics.CodeAnalysis;
using ChatFork.Protocol;

namespace ChatFork.Sessions;

/// <summary>Endings every session model words the same way.</summary>
internal static class SessionEnds
{
    /// <summary>The last line for a client cut off because it does not read.</summary>
    public const string NotReadingLine = "* you are not reading what the server sends; disconnecting";

    [DoesNotReturn]
    public static void Idle(ISessionControl session, TimeSpan idleTimeout)
    {
        var seconds = (int)idleTimeout.TotalSeconds;
        session.EndSession(LeaveReason.Idle, $"no input for {seconds} s (--idle-timeout)", $"* idle for {seconds} s; disconnecting");
    }

    [DoesNotReturn]
    public static void LineTimeout(ISessionControl session, TimeSpan lineTimeout)
    {
        var seconds = (int)lineTimeout.TotalSeconds;
        session.EndSession(LeaveReason.LineTimeout, $"one line took over {seconds} s to arrive (--line-timeout)",
            $"* a line took over {seconds} s to arrive (the limit is {seconds} s); disconnecting");
    }

    [DoesNotReturn]
    public static void Flood(ISessionControl session, SessionLimits limits)
    {
        var seconds = (int)limits.FloodTimeout.TotalSeconds;
        var rate = limits.LineRate.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
        session.EndSession(LeaveReason.Flood,
            $"client sent lines faster than {rate} a second (--line-rate; burst {limits.LineBurst}, --line-burst) for {seconds} s without a break (--flood-timeout)",
            $"* excess flood: more than {rate} lines a second for {seconds} s; disconnecting");
    }
}

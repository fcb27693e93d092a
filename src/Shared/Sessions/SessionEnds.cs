using System.Diagnostics.CodeAnalysis;
using ChatFork.Protocol;

namespace ChatFork.Sessions;

/// <summary>Endings every session model words the same way.</summary>
public static class SessionEnds
{
    /// <summary>The last line for a client cut off because it does not read.</summary>
    public const string NotReadingLine = "* you are not reading what the server sends; disconnecting";

    [DoesNotReturn]
    public static void Idle(ISessionControl session, TimeSpan idleTimeout)
    {
        var seconds = (int)idleTimeout.TotalSeconds;
        session.EndSession(LeaveReason.Idle, $"no input for {seconds} s (--idle-timeout)", $"* idle for {seconds} s; disconnecting");
    }
}

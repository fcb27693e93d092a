using System.Diagnostics.CodeAnalysis;
using ChatFork.Protocol;

namespace ChatFork.Sessions;

/// <summary>
/// How a session ends. In a worker, ending exits the process; in the thread and async models it closes the
/// connection and unwinds the session by throwing <see cref="SessionEndedException"/>. Either way the call does not
/// return to the code that made it.
/// </summary>
internal interface ISessionControl
{
    /// <summary>Ends the session: says why to the room, writes <paramref name="lastLine"/> to the client, closes.</summary>
    [DoesNotReturn]
    void EndSession(LeaveReason reason, string detail, string? lastLine);

    /// <summary>The client's queue overflowed: it is not reading.</summary>
    [DoesNotReturn]
    void EndTooSlow();

    /// <summary>The room (the supervisor, in the process model) is gone.</summary>
    [DoesNotReturn]
    void EndRoomGone();
}

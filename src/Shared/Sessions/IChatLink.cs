namespace ChatFork.Sessions;

/// <summary>
/// What a chat session tells the room. In the process model it is a pipe to the supervisor (typed frames); in the
/// thread and async models it is a direct call into the room in the same process. The session cannot tell which.
/// </summary>
public interface IChatLink
{
    void Say(string text);

    void Act(string text);

    void Nick(string nick);

    void Whisper(string target, string text);

    void Who();

    void Ps();

    /// <summary>Sends what was queued since the last flush. False if the room is gone.</summary>
    bool Flush();
}

namespace ChatFork.Sessions;

/// <summary>
/// What a chat session tells the room. In the process model it is a pipe to the supervisor (typed frames); in the
/// thread and async models it is a direct call into the room in the same process. The session cannot tell which.
/// Chat text comes as the cleaned line's UTF-8 bytes (<c>TextSanitizer.IsCleanUtf8</c> holds), valid only during the
/// call: a link copies what it keeps.
/// </summary>
internal interface IChatLink
{
    void Say(ReadOnlySpan<byte> utf8);

    void Act(ReadOnlySpan<byte> utf8);

    void Nick(string nick);

    void Whisper(string target, ReadOnlySpan<byte> utf8);

    void Who();

    void Ps();

    /// <summary>Sends what was queued since the last flush. False if the room is gone.</summary>
    bool Flush();
}

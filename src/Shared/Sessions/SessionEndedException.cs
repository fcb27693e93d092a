namespace ChatFork.Sessions;

/// <summary>
/// Unwinds an in-process session (thread or async model) once it has been ended and its connection closed. It is
/// control flow, caught at the session's top; it never reaches a log as an error.
/// </summary>
internal sealed class SessionEndedException : Exception
{
    public SessionEndedException() : base("The session has ended.") { }

    public SessionEndedException(string message) : base(message) { }

    public SessionEndedException(string message, Exception innerException) : base(message, innerException) { }
}

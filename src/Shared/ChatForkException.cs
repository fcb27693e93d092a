namespace ChatFork;

/// <summary>
/// The base of ChatFork's own exceptions. Its message is a sentence meant for a log line or a console, never a
/// stack trace; code that catches it may show <see cref="Exception.Message"/> to a person as is.
/// </summary>
internal class ChatForkException : Exception
{
    public ChatForkException() { }

    public ChatForkException(string message) : base(message) { }

    public ChatForkException(string message, Exception innerException) : base(message, innerException) { }
}

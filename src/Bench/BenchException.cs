namespace ChatFork.Bench;

/// <summary>
/// A failure the user can act on. Its message is a whole sentence and is printed as it is, without a stack trace.
/// </summary>
internal sealed class BenchException : Exception
{
    public BenchException()
    {
    }

    public BenchException(string message)
        : base(message)
    {
    }

    public BenchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

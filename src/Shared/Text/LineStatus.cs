namespace ChatFork.Text;

/// <summary>What <see cref="LineSplitter.Next"/> found.</summary>
internal enum LineStatus
{
    /// <summary>A whole line is ready.</summary>
    Line,
    /// <summary>The input is used up; the start of a line is kept for the next chunk.</summary>
    NeedMore,
    /// <summary>The line in progress is over the limit. The splitter stays in this state: the connection is done.</summary>
    TooLong,
}

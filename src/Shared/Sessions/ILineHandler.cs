namespace ChatFork.Sessions;

/// <summary>What a session does with each line its client sends: chat or echo.</summary>
internal interface ILineHandler
{
    /// <summary>One whole line, with its terminator as received.</summary>
    void OnLine(ReadOnlySpan<byte> rawLine);

    /// <summary>The end of one read from the socket: send what the lines produced, together.</summary>
    void OnBatchEnd();
}

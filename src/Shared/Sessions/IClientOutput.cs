namespace ChatFork.Sessions;

/// <summary>Where a session's lines for its client go: a bounded queue that a writer drains.</summary>
internal interface IClientOutput
{
    /// <summary>Queues a line and its <c>\r\n</c>. False when the queue is over its limit (the client is not reading).</summary>
    bool AppendLine(ReadOnlySpan<byte> utf8Line);

    /// <summary>Queues a line (UTF-8 encoded) and its <c>\r\n</c>.</summary>
    bool AppendLine(string line);

    /// <summary>Queues bytes exactly as given (echo mode). False when over the limit.</summary>
    bool Append(ReadOnlySpan<byte> bytes);

    /// <summary>Starts sending what was queued; batches cost one wake-up.</summary>
    void Commit();
}

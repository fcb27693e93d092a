namespace ChatFork.Worker;

/// <summary>The classic TCP echo server: every line goes back to its sender, byte for byte, and nothing else does.</summary>
internal sealed class EchoHandler : ILineHandler
{
    private readonly WorkerProcess _worker;
    private readonly ClientConnection _client;

    public EchoHandler(WorkerProcess worker, ClientConnection client)
    {
        _worker = worker;
        _client = client;
    }

    public void OnLine(ReadOnlySpan<byte> rawLine)
    {
        if (!_client.Append(rawLine))
        {
            _worker.EndTooSlow();
        }
    }

    public void OnBatchEnd() => _client.Commit();
}

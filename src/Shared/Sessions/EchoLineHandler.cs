namespace ChatFork.Sessions;

/// <summary>The classic TCP echo server: every line goes back to its sender, byte for byte, and nothing else does.</summary>
internal sealed class EchoLineHandler : ILineHandler
{
    private readonly ISessionControl _session;
    private readonly IClientOutput _client;

    public EchoLineHandler(ISessionControl session, IClientOutput client)
    {
        _session = session;
        _client = client;
    }

    public void OnLine(ReadOnlySpan<byte> rawLine)
    {
        if (!_client.Append(rawLine))
        {
            _session.EndTooSlow();
        }
    }

    public void OnBatchEnd() => _client.Commit();
}

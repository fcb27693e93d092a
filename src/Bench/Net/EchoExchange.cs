namespace ChatFork.Bench.Net;

/// <summary>One line to an echo server and back, recognised by its tag (a server may send other lines first).</summary>
internal static class EchoExchange
{
    /// <returns>True when the echo arrived; false when the server closed the connection first.</returns>
    public static async Task<bool> RoundTripAsync(
        LineClient client, BenchToken token, int sender, int number, CancellationToken cancellationToken)
    {
        await client.SendAsync(token.Line(sender, BenchToken.DataKind, number, "echo"), cancellationToken);
        return await client.ReadLinesAsync(
            line => token.TryParse(line, out var from, out var kind, out var received)
                && from == sender && kind == BenchToken.DataKind && received == number,
            cancellationToken);
    }
}

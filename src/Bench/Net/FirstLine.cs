namespace ChatFork.Bench.Net;

/// <summary>What a client's first line from a chat server says: it is served, or it is turned away.</summary>
internal static class FirstLine
{
    // ChatFork's refusals (src/Supervisor/Refusal.cs): one line on the raw socket, then close.
    private static readonly string[] s_refusals =
        ["* server full", "* server busy", "* too many connections", "* server shutting down"];

    /// <summary>True when <paramref name="line"/> is a refusal ("* server busy, try again"), not a greeting.</summary>
    public static bool IsRefusal(string line) =>
        s_refusals.Any(refusal => line.StartsWith(refusal, StringComparison.OrdinalIgnoreCase));
}

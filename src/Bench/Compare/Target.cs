namespace ChatFork.Bench.Compare;

/// <summary>A goal ChatFork is held to, printed beside the figures.</summary>
/// <param name="Text">How the table states it, e.g. <c>&gt;= 2x socat</c>.</param>
/// <param name="Check">Given ChatFork's figure and the peer's (null if the peer has none), whether it is met; null
/// when it cannot be judged.</param>
internal sealed record Target(string Text, Func<double, double?, bool?> Check)
{
    public static Target AtMost(double limit, string text) => new(text, (chatFork, _) => chatFork <= limit);

    public static Target Below(double limit, string text) => new(text, (chatFork, _) => chatFork < limit);

    public static Target Zero(string text) => new(text, (chatFork, _) => chatFork == 0);

    public static Target AtLeastPeerTimes(double factor, string text) =>
        new(text, (chatFork, peer) => peer is { } p ? chatFork >= factor * p : null);

    public static Target NoMoreThanPeer(string text) =>
        new(text, (chatFork, peer) => peer is { } p ? chatFork <= p : null);
}

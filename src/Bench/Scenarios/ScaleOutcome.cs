using System.Globalization;

namespace ChatFork.Bench.Scenarios;

/// <summary>
/// What happened to the scale scenario's clients, and the one sentence that says which limit was hit first. Pure,
/// so that the wording is tested without ten thousand connections.
/// </summary>
internal sealed record ScaleOutcome
{
    public int Requested { get; init; }

    public int Served { get; init; }

    public IReadOnlyDictionary<string, int> ConnectErrors { get; init; } = new Dictionary<string, int>();

    /// <summary>Refusals by the server's sentence.</summary>
    public IReadOnlyDictionary<string, int> Refusals { get; init; } = new Dictionary<string, int>();

    public int ClosedWithoutALine { get; init; }

    public int NoLineInTime { get; init; }

    public int NotTried { get; init; }

    /// <summary>The connect phase's time bound, for the sentence about clients never tried.</summary>
    public TimeSpan PhaseLimit { get; init; }

    /// <summary>Served clients the broadcast did not reach; null when there was no broadcast.</summary>
    public int? MissingReceipts { get; init; }

    /// <summary>Served clients whose connection the server closed later.</summary>
    public int DisconnectedLater { get; init; }

    public int? TreeThreads { get; init; }

    public int? PidMax { get; init; }

    public ulong? OpenFileLimit { get; init; }

    /// <summary>One sentence: no limit was hit, or what stopped the server short, the most common cause first.</summary>
    public string LimitSentence()
    {
        var parts = new List<(int Count, string Text)>();
        foreach (var (sentence, count) in Refusals.OrderByDescending(pair => pair.Value))
        {
            parts.Add((count, $"{N(count)} were refused with the server's '{sentence}'"));
        }

        foreach (var (error, count) in ConnectErrors.OrderByDescending(pair => pair.Value))
        {
            var hint = error is "TooManyOpenFiles" or "EMFILE"
                ? $" (open-file limit {OpenFileLimit?.ToString(CultureInfo.InvariantCulture) ?? "unknown"})"
                : "";
            parts.Add((count, $"{N(count)} could not connect ({error}{hint})"));
        }

        if (ClosedWithoutALine > 0)
        {
            parts.Add((ClosedWithoutALine, $"{N(ClosedWithoutALine)} were closed by the server before any line"));
        }

        if (NoLineInTime > 0)
        {
            parts.Add((NoLineInTime, $"{N(NoLineInTime)} connected but got no greeting in time"));
        }

        if (NotTried > 0)
        {
            parts.Add((NotTried,
                $"{N(NotTried)} were never tried: the connect phase ran out of its {PhaseLimit.TotalSeconds:0} s"));
        }

        parts.Sort((a, b) => b.Count.CompareTo(a.Count));
        var sentences = new List<string>();
        if (parts.Count > 0)
        {
            sentences.Add($"The server stopped short: {N(Served)} of {N(Requested)} clients were served; "
                + string.Join("; ", parts.Select(part => part.Text)) + ".");
        }

        if (DisconnectedLater > 0)
        {
            sentences.Add($"The server later closed {N(DisconnectedLater)} of the clients it had served.");
        }

        if (MissingReceipts is > 0 and var missing)
        {
            sentences.Add($"The broadcast missed {N(missing)} of the {N(Math.Max(Served - 1, 0))} other served clients.");
        }
        else if (MissingReceipts is null && Served > 1)
        {
            sentences.Add("There was no broadcast to measure.");
        }

        if (TreeThreads is { } threads && PidMax is { } pidMax && threads > pidMax * 0.8)
        {
            sentences.Add($"The server's tree held {N(threads)} threads, each a pid, against pid_max {N(pidMax)}: "
                + "pids were (nearly) exhausted.");
        }

        if (sentences.Count == 0)
        {
            return $"No limit was hit: all {N(Requested)} clients were served and the broadcast reached all "
                + $"{N(Requested - 1)} others.";
        }

        return string.Join(" ", sentences);
    }

    private static string N(int value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}

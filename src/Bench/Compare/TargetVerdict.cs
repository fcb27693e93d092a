using System.Globalization;
using ChatFork.Bench.Results;

namespace ChatFork.Bench.Compare;

/// <summary>A target judged: what was measured, met or missed, and by how much.</summary>
internal sealed record TargetVerdict(string What, string Goal, string Measured, string Result, string Margin)
{
    public const string Met = "met";
    public const string Missed = "MISSED";
    public const string NotMeasured = "not measured";

    /// <summary>
    /// Judges <paramref name="target"/> on ChatFork's figure and the peer's. The margin is relative to the limit:
    /// a throughput of 0.44× against ≥ 1.0× is "short by 56 %", a latency of 2.2× against ≤ 1× is "120 % over".
    /// </summary>
    /// <param name="unavailable">Why ChatFork has no figure (the variant is not in this build, the run failed); shown
    /// instead of a figure.</param>
    public static TargetVerdict Judge(
        IssueTarget target, double? chatFork, double? peer, string? peerName, string? unavailable)
    {
        TargetVerdict None(string why) => new(target.What, target.Goal, why, NotMeasured, "");
        if (chatFork is not { } value || double.IsNaN(value))
        {
            return None(unavailable ?? "no figure");
        }

        var relative = target.Kind is GoalKind.AtLeastPeerTimes or GoalKind.AtMostPeerTimes;
        double measured;
        string shown;
        if (relative)
        {
            if (peer is not { } p || p == 0 || double.IsNaN(p))
            {
                return None($"{Figure(value, target.Unit)}; no figure from {peerName ?? "the peer"} to compare with");
            }

            measured = value / p;
            shown = string.Create(CultureInfo.InvariantCulture,
                $"{measured:0.00}× {peerName} ({Figure(value, target.Unit)} against {Figure(p, target.Unit)})");
        }
        else
        {
            measured = value;
            shown = Figure(value, target.Unit);
        }

        var (met, margin) = target.Kind switch
        {
            GoalKind.AtLeastPeerTimes => measured >= target.Limit
                ? (true, Percent(measured / target.Limit - 1) + " above")
                : (false, "short by " + Percent(1 - measured / target.Limit)),
            GoalKind.AtMostPeerTimes or GoalKind.AtMost => measured <= target.Limit
                ? (true, Percent(1 - measured / target.Limit) + " under")
                : (false, Percent(measured / target.Limit - 1) + " over"),
            GoalKind.Below => measured < target.Limit
                ? (true, Percent(1 - measured / target.Limit) + " under")
                : (false, Percent(measured / target.Limit - 1) + " over"),
            _ => measured == 0
                ? (true, "")
                : (false, $"{ResultTable.Format(measured)} instead of 0"),
        };
        return new TargetVerdict(target.What, target.Goal, shown, met ? Met : Missed, margin);
    }

    private static string Figure(double value, string unit) => ResultTable.Format(value, unit);

    private static string Percent(double fraction) =>
        (fraction * 100).ToString(fraction < 0.1 ? "0.#" : "0", CultureInfo.InvariantCulture) + " %";
}

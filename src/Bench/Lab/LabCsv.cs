using System.Globalization;
using System.Text;

namespace ChatFork.Bench.Lab;

/// <summary>
/// results.csv: comment lines starting with <c>#</c> that say what each column means, then a header, then one row per
/// point (model x clients) with one column per figure. An empty cell is a figure that could not be measured; the
/// <c>error</c> column says why. Read it with, say, <c>pandas.read_csv(path, comment='#')</c>.
/// </summary>
internal static class LabCsv
{
    public const string FileName = "results.csv";

    public static string Render(LabPlan plan, IEnumerable<LabPoint> points)
    {
        var text = new StringBuilder();
        text.Append("# chatfork-bench lab: one row per model and client count; chatfork was started fresh for each row.\n");
        text.Append(CultureInfo.InvariantCulture,
            $"# sizes: {plan.Greetings} timed greetings, {plan.FanoutRounds} fan-out rounds, {plan.BurstLines} burst "
            + $"lines per client; the process model ran with --prespawn {plan.Prespawn}.\n");
        text.Append("# model: chatfork --model; clients: chat clients connected at once.\n");
        foreach (var metric in LabMetric.All)
        {
            text.Append(CultureInfo.InvariantCulture, $"# {metric.Key}: {metric.Title} [{metric.Unit}]\n");
        }

        text.Append("# error: empty when every phase succeeded; an empty figure was not measured.\n");
        text.Append("model,clients,").AppendJoin(',', LabMetric.All.Select(metric => metric.Key)).Append(",error\n");
        foreach (var point in points)
        {
            text.Append(point.Model).Append(',').Append(point.Clients.ToString(CultureInfo.InvariantCulture));
            foreach (var metric in LabMetric.All)
            {
                text.Append(',').Append(Number(metric.Value(point)));
            }

            text.Append(',').Append(Quote(point.Error)).Append('\n');
        }

        return text.ToString();
    }

    private static string Number(double? value) =>
        value is { } v && double.IsFinite(v) ? Math.Round(v, 4).ToString("0.####", CultureInfo.InvariantCulture) : "";

    private static string Quote(string? text) =>
        string.IsNullOrEmpty(text) ? "" : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal).ReplaceLineEndings(" ") + "\"";
}

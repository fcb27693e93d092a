using System.Globalization;
using System.Text;

namespace ChatFork.Bench.Results;

/// <summary>The console text for one scenario run: a heading, a table of figures, then notes and any error.</summary>
internal static class ScenarioReport
{
    public static string ToText(ScenarioResult result)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{result.Scenario} against {result.Server}")
            .Append(CultureInfo.InvariantCulture, $" ({result.DurationSeconds:0.0} s)\n\n");
        if (result.Metrics.Count > 0)
        {
            var table = new ResultTable("metric", "value", "unit", "better");
            foreach (var metric in result.Metrics)
            {
                table.AddRow(metric.Label, ResultTable.Format(metric.Value), metric.Unit, BetterText(metric.Better));
            }

            text.Append(table.ToText());
        }

        foreach (var note in result.Notes)
        {
            text.Append(CultureInfo.InvariantCulture, $"note: {note}\n");
        }

        if (result.Error is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"error: {result.Error}\n");
        }

        return text.ToString();
    }

    public static string BetterText(Better better) => better switch
    {
        Better.Higher => "higher",
        Better.Lower => "lower",
        _ => "",
    };
}

using System.Globalization;
using ScottPlot;

namespace ChatFork.Bench.Lab;

/// <summary>
/// A PNG chart per figure (<see cref="LabMetric.Charts"/>): clients on x, the figure on y, one line per model, in the
/// same colour and marker for a model in every chart. Points whose figure could not be measured are left out of
/// their line.
/// </summary>
internal static class LabCharts
{
    private const int Width = 900;
    private const int Height = 540;

    private static readonly Dictionary<string, (Color Color, MarkerShape Marker)> s_styles = new()
    {
        ["process"] = (Color.FromHex("#1f77b4"), MarkerShape.FilledCircle),
        ["thread"] = (Color.FromHex("#ff7f0e"), MarkerShape.FilledSquare),
        ["async"] = (Color.FromHex("#2ca02c"), MarkerShape.FilledTriangleUp),
    };

    // SkiaSharp's NoDependencies build has no fontconfig, so it cannot look fonts up by family; it draws with the first
    // face it finds (a serif one on Debian). Registering DejaVu Sans's files by path gives the charts a sans face where
    // Debian's fonts-dejavu-core is installed, and changes nothing elsewhere.
    private static readonly Lazy<string> s_font = new(RegisterSansFont);

    /// <summary>Writes the charts into <paramref name="directory"/>; returns the metrics charted, in order.</summary>
    public static IReadOnlyList<LabMetric> Write(string directory, LabPlan plan, IReadOnlyList<LabPoint> points)
    {
        var written = new List<LabMetric>();
        foreach (var metric in LabMetric.Charts)
        {
            var path = Path.Combine(directory, metric.ChartFile);
            try
            {
                Render(metric, plan, points).SavePng(path, Width, Height);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new BenchException($"Could not write the chart {path}: {ex.Message}", ex);
            }

            written.Add(metric);
        }

        return written;
    }

    private static Plot Render(LabMetric metric, LabPlan plan, IReadOnlyList<LabPoint> points)
    {
        var plot = new Plot();
        plot.Font.Set(s_font.Value);
        var highest = 0.0;
        foreach (var model in plan.Models)
        {
            var measured = points
                .Where(point => point.Model == model && metric.Value(point) is { } v && double.IsFinite(v))
                .OrderBy(point => point.Clients)
                .ToList();
            if (measured.Count == 0)
            {
                continue;
            }

            var xs = measured.Select(point => (double)point.Clients).ToArray();
            var ys = measured.Select(point => metric.Value(point)!.Value).ToArray();
            highest = Math.Max(highest, ys.Max());
            var line = plot.Add.Scatter(xs, ys);
            var (color, marker) = s_styles.GetValueOrDefault(model, (Colors.Gray, MarkerShape.FilledDiamond));
            line.Color = color;
            line.LineWidth = 2;
            line.MarkerShape = marker;
            line.MarkerSize = 9;
            line.LegendText = $"--model {model}";
        }

        plot.Title(metric.Title);
        plot.XLabel("clients connected");
        plot.YLabel(metric.Axis);

        // Ticks at the client counts measured, and y from zero: these charts compare heights.
        var clients = plan.Clients.Select(c => (double)c).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            clients, plan.Clients.Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray());
        var span = clients[^1] - clients[0];
        var margin = Math.Max(span * 0.05, 1);
        plot.Axes.SetLimitsX(clients[0] - margin, clients[^1] + margin);
        plot.Axes.SetLimitsY(0, highest > 0 ? highest * 1.12 : 1);
        // Outside the data area, so that it never hides a line.
        plot.ShowLegend(Edge.Bottom);
        return plot;
    }

    private static string RegisterSansFont()
    {
        const string family = "DejaVu Sans";
        const string folder = "/usr/share/fonts/truetype/dejavu";
        var regular = Path.Combine(folder, "DejaVuSans.ttf");
        var bold = Path.Combine(folder, "DejaVuSans-Bold.ttf");
        if (!File.Exists(regular))
        {
            return Fonts.Default;
        }

        Fonts.AddFontFile(family, regular, bold: false, italic: false);
        if (File.Exists(bold))
        {
            Fonts.AddFontFile(family, bold, bold: true, italic: false);
        }

        return family;
    }
}

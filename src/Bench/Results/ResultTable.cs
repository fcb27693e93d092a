using System.Globalization;
using System.Text;

namespace ChatFork.Bench.Results;

/// <summary>A table of text cells, rendered with aligned columns for the console or as Markdown.</summary>
internal sealed class ResultTable
{
    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    public ResultTable(params string[] headers)
    {
        _headers = headers;
    }

    public void AddRow(params string[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"Expected {_headers.Length} cells, got {cells.Length}.", nameof(cells));
        }

        _rows.Add(cells);
    }

    /// <summary>Formats a figure with as many decimals as its size deserves; null is "n/a".</summary>
    public static string Format(double? value)
    {
        return value switch
        {
            null => "n/a",
            { } v when double.IsNaN(v) || double.IsInfinity(v) => "n/a",
            { } v when Math.Abs(v) >= 1000 || (v == Math.Floor(v) && Math.Abs(v) < 1e15) =>
                v.ToString("#,0", CultureInfo.InvariantCulture),
            { } v when Math.Abs(v) >= 100 => v.ToString("0.0", CultureInfo.InvariantCulture),
            { } v when Math.Abs(v) >= 1 => v.ToString("0.00", CultureInfo.InvariantCulture),
            { } v when Math.Abs(v) >= 0.001 => v.ToString("0.000", CultureInfo.InvariantCulture),

            // Three significant digits for small figures (a marginal MiB per client, say), never "0.000".
            { } v => Math.Round(v, 2 - (int)Math.Floor(Math.Log10(Math.Abs(v))))
                .ToString("0.##########", CultureInfo.InvariantCulture),
        };
    }

    public static string Format(double? value, string unit) =>
        value is null || unit.Length == 0 ? Format(value) : $"{Format(value)} {unit}";

    /// <summary>Columns padded to their widest cell, numbers right-aligned.</summary>
    public string ToText()
    {
        var widths = Widths();
        var text = new StringBuilder();
        AppendTextRow(text, _headers, widths, alignNumbers: false);
        text.AppendJoin("  ", widths.Select(width => new string('-', width))).Append('\n');
        foreach (var row in _rows)
        {
            AppendTextRow(text, row, widths, alignNumbers: true);
        }

        return text.ToString();
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", _headers.Select(Escape)).Append(" |\n");
        text.Append('|').AppendJoin('|', _headers.Select(_ => "---")).Append("|\n");
        foreach (var row in _rows)
        {
            text.Append("| ").AppendJoin(" | ", row.Select(Escape)).Append(" |\n");
        }

        return text.ToString();
    }

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal);

    private static bool LooksNumeric(string cell) =>
        cell.Length > 0 && (char.IsDigit(cell[0]) || (cell[0] == '-' && cell.Length > 1 && char.IsDigit(cell[1])));

    private static void AppendTextRow(StringBuilder text, string[] cells, int[] widths, bool alignNumbers)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                text.Append("  ");
            }

            var last = i == cells.Length - 1;
            if (alignNumbers && LooksNumeric(cells[i]))
            {
                text.Append(cells[i].PadLeft(widths[i]));
            }
            else
            {
                text.Append(last ? cells[i] : cells[i].PadRight(widths[i]));
            }
        }

        // Cells of an empty last column would leave trailing blanks.
        while (text.Length > 0 && text[^1] == ' ')
        {
            text.Length--;
        }

        text.Append('\n');
    }

    private int[] Widths()
    {
        var widths = _headers.Select(header => header.Length).ToArray();
        foreach (var row in _rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        return widths;
    }
}

using System.Text;

namespace ChatFork.Supervisor;

/// <summary>
/// The layout of the <c>/ps</c> answer, the same in every model: a header row, one row per process or connection,
/// each column padded to its widest cell (the last one not), every line a "* " notice, and one footer line that
/// sums up. What the rows say is the model's: ProcessTable (supervisor and workers) or the lab's InProcessTable.
/// </summary>
internal sealed class PsTable
{
    private readonly List<string[]> _rows;

    public PsTable(params string[] header)
    {
        _rows = [header];
    }

    /// <summary>Rows added so far, the header not counted.</summary>
    public int Count => _rows.Count - 1;

    public void Add(params string[] row)
    {
        if (row.Length != _rows[0].Length)
        {
            throw new ArgumentException($"A /ps row has {_rows[0].Length} cells; this one has {row.Length}.", nameof(row));
        }

        _rows.Add(row);
    }

    public List<string> Render(string footer)
    {
        var widths = Enumerable.Range(0, _rows[0].Length).Select(c => _rows.Max(r => r[c].Length)).ToArray();
        var lines = _rows.Select(r =>
        {
            var line = new StringBuilder("* ");
            for (var c = 0; c < r.Length; c++)
            {
                line.Append(c == r.Length - 1 ? r[c] : r[c].PadRight(widths[c] + 2));
            }

            return line.ToString().TrimEnd();
        }).ToList();

        lines.Add("* " + footer);
        return lines;
    }
}

using ChatFork.Supervisor;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>The layout of the /ps answer that every model fills with its own rows.</summary>
public sealed class PsTableTests
{
    [Test]
    public void Columns_are_padded_to_their_widest_cell_the_last_one_is_not_and_the_footer_closes_the_table()
    {
        var table = new PsTable("PID", "ROLE", "CLIENT");
        table.Add("4200", "supervisor", "listening on 127.0.0.1:7000");
        table.Add("4242", "worker", "127.0.0.1:50000");

        Assert.That(table.Count, Is.EqualTo(2));
        Assert.That(table.Render("2 processes"), Is.EqualTo(new[]
        {
            "* PID   ROLE        CLIENT",
            "* 4200  supervisor  listening on 127.0.0.1:7000",
            "* 4242  worker      127.0.0.1:50000",
            "* 2 processes",
        }));
    }

    [Test]
    public void A_row_with_the_wrong_number_of_cells_is_refused()
    {
        var table = new PsTable("PID", "ROLE");
        Assert.That(() => table.Add("4200"), Throws.ArgumentException);
    }
}

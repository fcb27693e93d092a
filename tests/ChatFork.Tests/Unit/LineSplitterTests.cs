using System.Text;
using ChatFork.Text;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

public sealed class LineSplitterTests
{
    private static List<string> Feed(LineSplitter splitter, params string[] chunks)
    {
        var lines = new List<string>();
        foreach (var chunk in chunks)
        {
            ReadOnlySpan<byte> input = Encoding.UTF8.GetBytes(chunk);
            while (splitter.Next(ref input, out var line) == LineStatus.Line)
            {
                lines.Add(Encoding.UTF8.GetString(line));
            }
        }

        return lines;
    }

    [Test]
    public void Both_newline_and_crlf_end_a_line_and_the_raw_line_keeps_its_terminator()
    {
        var lines = Feed(new LineSplitter(100), "one\ntwo\r\nthree\n");
        Assert.That(lines, Is.EqualTo(new[] { "one\n", "two\r\n", "three\n" }));
        Assert.That(Encoding.UTF8.GetString(LineSplitter.Content("two\r\n"u8)), Is.EqualTo("two"));
    }

    [Test]
    public void A_line_split_across_reads_is_put_back_together()
    {
        var lines = Feed(new LineSplitter(100), "hel", "lo wor", "ld\r", "\nnext\n");
        Assert.That(lines, Is.EqualTo(new[] { "hello world\r\n", "next\n" }));
    }

    [Test]
    public void A_line_at_the_limit_passes_and_one_byte_more_does_not()
    {
        Assert.That(Feed(new LineSplitter(5), "12345\r\n"), Is.EqualTo(new[] { "12345\r\n" }));

        var splitter = new LineSplitter(5);
        ReadOnlySpan<byte> input = "123456\n"u8;
        Assert.That(splitter.Next(ref input, out _), Is.EqualTo(LineStatus.TooLong));
    }

    [Test]
    public void Ten_megabytes_without_a_newline_is_too_long_after_at_most_one_line_of_memory()
    {
        var splitter = new LineSplitter(4096);
        var chunk = new byte[16 * 1024];
        Array.Fill(chunk, (byte)'x');
        var status = LineStatus.NeedMore;
        var fed = 0;
        while (status == LineStatus.NeedMore && fed < 10 * 1024 * 1024)
        {
            ReadOnlySpan<byte> input = chunk;
            status = splitter.Next(ref input, out _);
            fed += chunk.Length;
        }

        Assert.That(status, Is.EqualTo(LineStatus.TooLong));
        Assert.That(fed, Is.LessThanOrEqualTo(chunk.Length), "the limit must be noticed in the first read past it");
    }

    [Test]
    public void An_unterminated_last_line_can_be_taken_at_end_of_stream()
    {
        var splitter = new LineSplitter(100);
        Assert.That(Feed(splitter, "a\npartial"), Is.EqualTo(new[] { "a\n" }));
        Assert.That(splitter.TryTakeRemainder(out var last), Is.True);
        Assert.That(Encoding.UTF8.GetString(last), Is.EqualTo("partial"));
        Assert.That(splitter.TryTakeRemainder(out _), Is.False);
    }

    [Test]
    public void The_splitter_knows_whether_the_start_of_a_line_is_waiting_for_its_end()
    {
        var splitter = new LineSplitter(64);
        Assert.That(splitter.HasPartialLine, Is.False);
        Feed(splitter, "hel");
        Assert.That(splitter.HasPartialLine, Is.True);
        Assert.That(Feed(splitter, "lo\n"), Is.EqualTo(new[] { "hello\n" }));
        Assert.That(splitter.HasPartialLine, Is.False, "the line is whole");
        Feed(splitter, "a\nb");
        Assert.That(splitter.HasPartialLine, Is.True, "a new line began after the last one");
    }
}

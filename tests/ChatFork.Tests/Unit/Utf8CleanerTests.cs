using System.Buffers;
using System.Text;
using ChatFork.Text;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>
/// The byte cleaner (<see cref="TextSanitizer.CleanUtf8(ReadOnlySpan{byte}, Span{byte})"/>) against the string one it
/// replaces on the worker's hot path: for every input, its output is the UTF-8 of what
/// <see cref="TextSanitizer.Clean(ReadOnlySpan{byte})"/> gives, and passes the supervisor's
/// <see cref="TextSanitizer.IsCleanUtf8"/>. Generated inputs are seeded and bounded in count.
/// </summary>
public sealed class Utf8CleanerTests
{
    // Pieces that make the cleaner work: escapes of every kind and their terminators, C1 controls, bidi overrides,
    // characters beyond the BMP, invalid and truncated UTF-8, and plain text between them.
    private static readonly byte[][] s_pieces =
    [
        "a"u8.ToArray(), "hello "u8.ToArray(), "é"u8.ToArray(), "✓"u8.ToArray(), "😀"u8.ToArray(), "\t"u8.ToArray(),
        [0x1b], "["u8.ToArray(), "]"u8.ToArray(), "P"u8.ToArray(), "X"u8.ToArray(), "^"u8.ToArray(), "_"u8.ToArray(),
        "("u8.ToArray(), " "u8.ToArray(), "2;"u8.ToArray(), "?"u8.ToArray(), "J"u8.ToArray(), "\\"u8.ToArray(),
        [0x07], [0x00], [0x7f], [0x0d], [0xc2, 0x9b], [0xc2, 0x9d], [0xc2, 0x90], [0xc2, 0x9c], [0xc2, 0x85],
        [0xe2, 0x80, 0xae], [0xe2, 0x80, 0xaa], [0xe2, 0x81, 0xa6], [0xe2, 0x81, 0xa9], [0xe2, 0x80, 0xa9],
        [0xff], [0xc3], [0x80], [0xe2, 0x80], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80],
    ];

    // One test over all the cases: test names holding control characters collapse into one in the test results.
    private static readonly string[] s_cases =
    [
        "plain text",
        "clear\u001b[2Jscreen",
        "\u001b[1;31mred\u001b[0m",
        "title\u001b]0;pwned\u0007after",
        "title\u001b]2;pwned\u001b\\after",
        "dcs\u001bPq#0\u001b\\done",
        "osc\u009d8;;http://x\u009cend",
        "nul\0byte",
        "tab\there",
        "c1\u009b2Jcsi",
        "reset\u001bcdone",
        "charset\u001b(Bok",
        "bidi \u202eevil\u2066",
        "del\u007fete",
        "unfinished\u001b[",
        "unfinished\u001b]0;title",
        "héllo wörld ✓ 😀",
    ];

    [Test]
    public void The_byte_cleaner_writes_what_the_string_cleaner_returns()
    {
        Assert.Multiple(() =>
        {
            foreach (var input in s_cases)
            {
                var bytes = Encoding.UTF8.GetBytes(input);
                Assert.That(CleanBytes(bytes), Is.EqualTo(Encoding.UTF8.GetBytes(TextSanitizer.Clean(input))), input);
            }
        });
    }

    [Test]
    public void Invalid_utf8_becomes_one_replacement_character_per_bad_sequence_as_in_the_string_cleaner()
    {
        byte[] bytes = [(byte)'a', 0xff, 0xc3, (byte)'b', 0xe2, 0x80, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98];
        Assert.That(CleanBytes(bytes), Is.EqualTo(OldPath(bytes)));
        Assert.That(Encoding.UTF8.GetString(CleanBytes(bytes)), Is.EqualTo("a\uFFFD\uFFFDb\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD"));
    }

    [Test]
    public void An_escape_whose_final_character_is_beyond_the_BMP_leaves_a_replacement_as_the_string_cleaner_does()
    {
        // The string cleaner takes one UTF-16 char as the final character, half of the emoji's surrogate pair; the
        // half left over is written as U+FFFD. The byte cleaner keeps to that, so the wire carries the same bytes.
        byte[] bytes = [.. "a\u001b"u8, .. "😀"u8, .. "b\u001b[1"u8, .. "😀"u8, .. "c"u8];
        Assert.That(CleanBytes(bytes), Is.EqualTo(OldPath(bytes)));
        Assert.That(Encoding.UTF8.GetString(CleanBytes(bytes)), Is.EqualTo("a\uFFFDb\uFFFDc"));
    }

    [Test]
    public void Random_bytes_clean_to_what_the_string_path_gives_and_pass_the_byte_check()
    {
        var random = new Random(20261201);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            AssertSameAsStringPath(bytes);
        }
    }

    [Test]
    public void Lines_built_from_escapes_and_broken_utf8_clean_to_what_the_string_path_gives()
    {
        var random = new Random(42);
        for (var i = 0; i < 20_000; i++)
        {
            var line = new List<byte>();
            for (var n = random.Next(0, 12); n > 0; n--)
            {
                line.AddRange(s_pieces[random.Next(s_pieces.Length)]);
            }

            AssertSameAsStringPath([.. line]);
        }
    }

    [Test]
    public void Mutated_lines_clean_to_what_the_string_path_gives()
    {
        var random = new Random(7);
        byte[][] seeds =
        [
            "\u001b[1;31mred\u001b[0m and \u001b]0;title\u0007 then \u202eevil 😀 ok"u8.ToArray(),
            "/msg bob \u001bP1;2q\u001b\\ héllo\u009b2J"u8.ToArray(),
            "tab\there\u0000del\u007f✓ \u001b(B\u001bc"u8.ToArray(),
        ];
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = seeds[random.Next(seeds.Length)].ToList();
            for (var edits = random.Next(1, 5); edits > 0 && bytes.Count > 0; edits--)
            {
                var at = random.Next(bytes.Count);
                switch (random.Next(3))
                {
                    case 0:
                        bytes[at] ^= (byte)(1 << random.Next(8));
                        break;
                    case 1:
                        bytes.RemoveAt(at);
                        break;
                    default:
                        bytes.InsertRange(at, s_pieces[random.Next(s_pieces.Length)]);
                        break;
                }
            }

            AssertSameAsStringPath([.. bytes]);
        }
    }

    [Test]
    public void A_line_the_byte_check_passes_is_one_the_cleaner_leaves_as_it_is()
    {
        // The worker skips the cleaner for a line IsCleanUtf8 passes; that is only right if cleaning would change nothing.
        var random = new Random(99);
        var checkedClean = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var line = new List<byte>();
            for (var n = random.Next(0, 8); n > 0; n--)
            {
                line.AddRange(s_pieces[random.Next(s_pieces.Length)]);
            }

            byte[] bytes = [.. line];
            if (TextSanitizer.IsCleanUtf8(bytes))
            {
                checkedClean++;
                Assert.That(CleanBytes(bytes), Is.EqualTo(bytes), () => Convert.ToHexString(bytes));
            }
        }

        Assert.That(checkedClean, Is.GreaterThan(100));
    }

    [Test]
    public void The_buffer_writer_form_appends_after_what_is_written_already()
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write("> "u8);
        TextSanitizer.CleanUtf8("a\u001b[2Jb"u8, output);
        Assert.That(output.WrittenSpan.ToArray(), Is.EqualTo("> ab"u8.ToArray()));
    }

    [Test]
    public void A_destination_that_might_be_too_small_is_refused_with_the_sizes_in_the_message()
    {
        var error = Assert.Throws<ArgumentException>(() => TextSanitizer.CleanUtf8("abc"u8, new byte[8]));
        Assert.That(error!.Message, Does.Contain("8 bytes").And.Contain("9"));
    }

    private static void AssertSameAsStringPath(byte[] bytes)
    {
        var cleaned = CleanBytes(bytes);
        Assert.That(cleaned, Is.EqualTo(OldPath(bytes)), () => Convert.ToHexString(bytes));
        Assert.That(TextSanitizer.IsCleanUtf8(cleaned), Is.True, () => Convert.ToHexString(bytes));
    }

    // What the worker sent before: the line cleaned as a string, encoded again for the frame.
    private static byte[] OldPath(byte[] bytes) => Encoding.UTF8.GetBytes(TextSanitizer.Clean(bytes));

    private static byte[] CleanBytes(ReadOnlySpan<byte> bytes)
    {
        var destination = new byte[TextSanitizer.MaxCleanedLength(bytes.Length)];
        var written = TextSanitizer.CleanUtf8(bytes, destination);
        return destination.AsSpan(0, written).ToArray();
    }
}

using System.Text;
using ChatFork.Text;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>
/// The byte parser (<see cref="Utf8ChatCommand"/>) against the string one it replaces on the worker's hot path: for a
/// line cleaned by each path, the kind is the same and the argument and text are the same bytes on the wire.
/// </summary>
public sealed class Utf8ChatCommandTests
{
    // Command names in several cases, the white space char.IsWhiteSpace knows beyond ASCII, letters that
    // ToLowerInvariant turns into ASCII, escapes and broken UTF-8 that the cleaner handles first.
    private static readonly string[] s_words =
    [
        "/", "//", "me", "ME", "Me", "nick", "NICK", "msg", "MsG", "who", "ps", "PS", "quit", "Quit", "help", "crash",
        "frob", "mee", "nic\u212a", "n\u0130ck", "qu\u0130t", " ", "  ", "\t", "\u00a0", "\u3000", "\u2028", "\u2003",
        "alice", "bob", "x", "é", "😀", "\u001b[2J", "\u001b]0;t\u0007", "\u202e", "\u0085", "\u0000", "\u001b😀",
    ];

    [TestCase("hello there", ChatCommandKind.Say, "", "hello there")]
    [TestCase("//etc/passwd", ChatCommandKind.Say, "", "/etc/passwd")]
    [TestCase("/me waves", ChatCommandKind.Me, "", "waves")]
    [TestCase("/ME waves", ChatCommandKind.Me, "", "waves")]
    [TestCase("/nick alice", ChatCommandKind.Nick, "alice", "")]
    [TestCase("/msg bob  see you", ChatCommandKind.Msg, "bob", "see you")]
    [TestCase("/who", ChatCommandKind.Who, "", "")]
    [TestCase("/ps", ChatCommandKind.Ps, "", "")]
    [TestCase("/quit gone fishing", ChatCommandKind.Quit, "", "gone fishing")]
    [TestCase("/quit \u3000gone fishing\u00a0 ", ChatCommandKind.Quit, "", "gone fishing")]
    [TestCase("/help", ChatCommandKind.Help, "", "")]
    [TestCase("/crash", ChatCommandKind.Crash, "crash", "")]
    [TestCase("/frobnicate", ChatCommandKind.Unknown, "frobnicate", "")]
    [TestCase("/wörld", ChatCommandKind.Unknown, "wörld", "")]
    [TestCase("   ", ChatCommandKind.Empty, "", "")]
    [TestCase("\u00a0\u3000", ChatCommandKind.Empty, "", "")]
    [TestCase("", ChatCommandKind.Empty, "", "")]
    [TestCase("/nick", ChatCommandKind.Usage, "", "/nick NAME")]
    [TestCase("/nick a b", ChatCommandKind.Usage, "", "/nick NAME")]
    [TestCase("/msg bob", ChatCommandKind.Usage, "", "/msg NICK text")]
    [TestCase("/msg bob \u00a0", ChatCommandKind.Usage, "", "/msg NICK text")]
    [TestCase("/me", ChatCommandKind.Usage, "", "/me text")]
    [TestCase("/me \u3000", ChatCommandKind.Usage, "", "/me text")]
    public void The_byte_parser_reads_a_line_as_the_string_parser_does(
        string line, ChatCommandKind kind, string argument, string text)
    {
        var command = Utf8ChatCommand.Parse(Encoding.UTF8.GetBytes(line));
        Assert.That(
            (command.Kind, Encoding.UTF8.GetString(command.Argument), Encoding.UTF8.GetString(command.Text)),
            Is.EqualTo((kind, argument, text)));
        Assert.That(ChatCommand.Parse(line), Is.EqualTo(new ChatCommand(kind, argument, text)));
    }

    [Test]
    public void A_command_name_that_lowers_to_ascii_is_that_command_in_both_parsers()
    {
        // KELVIN SIGN lowers to k under ToLowerInvariant, so the string parser takes "/NIC\u212a" as /nick.
        AssertSameAsStringPath(Encoding.UTF8.GetBytes("/NIC\u212a alice"));
        Assert.That(ChatCommand.Parse("/NIC\u212a alice").Kind, Is.EqualTo(ChatCommandKind.Nick));
        Assert.That(Utf8ChatCommand.Parse(Encoding.UTF8.GetBytes("/NIC\u212a alice")).Kind, Is.EqualTo(ChatCommandKind.Nick));
    }

    [Test]
    public void The_text_of_a_chat_line_is_a_slice_of_the_line_not_a_copy()
    {
        var line = "//hello"u8.ToArray();
        var command = Utf8ChatCommand.Parse(line);
        Assert.That(command.Text.Overlaps(line), Is.True);
        Assert.That(command.Text.Length, Is.EqualTo(line.Length - 1));
    }

    [Test]
    public void Generated_lines_cleaned_and_parsed_as_bytes_match_the_string_path()
    {
        var random = new Random(20261201);
        for (var i = 0; i < 20_000; i++)
        {
            var line = new StringBuilder(random.Next(2) == 0 ? "/" : "");
            for (var n = random.Next(0, 8); n > 0; n--)
            {
                line.Append(s_words[random.Next(s_words.Length)]);
            }

            var bytes = Encoding.UTF8.GetBytes(line.ToString()).ToList();
            if (random.Next(8) == 0 && bytes.Count > 0)
            {
                bytes[random.Next(bytes.Count)] = (byte)random.Next(0x80, 0x100);
            }

            AssertSameAsStringPath([.. bytes]);
        }
    }

    // The worker before: clean to a string, parse the string, encode the fields for the frame (or the client). Now:
    // clean to bytes, parse the bytes. The fields must be the same bytes.
    private static void AssertSameAsStringPath(byte[] raw)
    {
        var old = ChatCommand.Parse(TextSanitizer.Clean(raw));
        var cleaned = new byte[TextSanitizer.MaxCleanedLength(raw.Length)];
        var length = TextSanitizer.CleanUtf8(raw, cleaned);
        var now = Utf8ChatCommand.Parse(cleaned.AsSpan(0, length));
        Assert.That(now.Kind, Is.EqualTo(old.Kind), () => Convert.ToHexString(raw));
        Assert.That(now.Argument.ToArray(), Is.EqualTo(Encoding.UTF8.GetBytes(old.Argument)), () => Convert.ToHexString(raw));
        Assert.That(now.Text.ToArray(), Is.EqualTo(Encoding.UTF8.GetBytes(old.Text)), () => Convert.ToHexString(raw));
    }
}

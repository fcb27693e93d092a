using System.Text;
using ChatFork.Text;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

public sealed class TextSanitizerTests
{
    [TestCase("plain text", "plain text")]
    [TestCase("clear\u001b[2Jscreen", "clearscreen")]
    [TestCase("\u001b[1;31mred\u001b[0m", "red")]
    [TestCase("title\u001b]0;pwned\u0007after", "titleafter")]
    [TestCase("title\u001b]2;pwned\u001b\\after", "titleafter")]
    [TestCase("nul\0byte", "nulbyte")]
    [TestCase("bell\u0007", "bell")]
    [TestCase("tab\there", "tab here")]
    [TestCase("c1\u009b2Jcsi", "c1csi")]
    [TestCase("reset\u001bcdone", "resetdone")]
    [TestCase("charset\u001b(Bok", "charsetok")]
    [TestCase("bidi \u202eevil", "bidi evil")]
    [TestCase("del\u007fete", "delete")]
    [TestCase("unfinished\u001b[", "unfinished")]
    [TestCase("héllo wörld ✓", "héllo wörld ✓")]
    public void Cleans_what_could_drive_a_terminal(string input, string expected)
    {
        Assert.That(TextSanitizer.Clean(input), Is.EqualTo(expected));
    }

    [Test]
    public void Invalid_utf8_is_replaced_not_passed_through()
    {
        var cleaned = TextSanitizer.Clean(new byte[] { (byte)'a', 0xff, 0xc3, (byte)'b' });
        Assert.That(cleaned, Is.EqualTo("a\uFFFD\uFFFDb"));
        Assert.That(TextSanitizer.IsCleanUtf8(Encoding.UTF8.GetBytes(cleaned)), Is.True);
    }

    [TestCase(new byte[] { 0x61, 0x1b, 0x5b }, false)]
    [TestCase(new byte[] { 0xff }, false)]
    [TestCase(new byte[] { 0xc2, 0x9b }, false)]
    [TestCase(new byte[] { 0xe2, 0x80, 0xae }, false)]
    [TestCase(new byte[] { 0x7f }, false)]
    [TestCase(new byte[] { 0xc3, 0xa9, 0xe2, 0x9c, 0x93 }, true)]
    public void The_byte_check_agrees_with_the_cleaner(byte[] bytes, bool clean)
    {
        Assert.That(TextSanitizer.IsCleanUtf8(bytes), Is.EqualTo(clean));
    }

    [Test]
    public void Whatever_goes_in_what_comes_out_passes_the_byte_check()
    {
        var random = new Random(1234);
        var deadline = DateTime.UtcNow.AddSeconds(3);
        for (var i = 0; i < 20_000 && DateTime.UtcNow < deadline; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            var cleaned = TextSanitizer.Clean(bytes);
            Assert.That(TextSanitizer.IsCleanUtf8(Encoding.UTF8.GetBytes(cleaned)), Is.True, () => Convert.ToHexString(bytes));
        }
    }
}

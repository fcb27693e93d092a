using System.Text;

namespace ChatFork.Text;

/// <summary>
/// Makes a client's line safe to show on other people's terminals. Invalid UTF-8 becomes U+FFFD; terminal escape
/// sequences (CSI such as <c>ESC[2J</c>, OSC such as <c>ESC]0;title BEL</c>, DCS/SOS/PM/APC strings, two-byte
/// <c>ESC x</c>, and their 8-bit C1 forms) are removed whole; other control characters are dropped and a tab becomes
/// a space; bidirectional overrides are dropped so a line cannot reorder how the next one reads.
/// </summary>
internal static partial class TextSanitizer
{
    private const char Esc = '\u001b';
    private const char Bel = '\u0007';

    /// <summary>Decodes and cleans one line (without its terminator).</summary>
    public static string Clean(ReadOnlySpan<byte> utf8)
    {
        // Encoding.UTF8 replaces each invalid sequence with U+FFFD rather than throwing.
        var decoded = Encoding.UTF8.GetString(utf8);
        return Clean(decoded);
    }

    public static string Clean(string text)
    {
        if (IsClean(text))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == Esc)
            {
                i = SkipEscape(text, i + 1);
                continue;
            }

            switch (c)
            {
                case '\u009b': // CSI
                    i = SkipControlSequence(text, i + 1);
                    continue;
                case '\u009d' or '\u0090' or '\u0098' or '\u009e' or '\u009f': // OSC, DCS, SOS, PM, APC
                    i = SkipString(text, i + 1);
                    continue;
                case '\t':
                    builder.Append(' ');
                    break;
                default:
                    if (!IsDropped(c))
                    {
                        builder.Append(c);
                    }

                    break;
            }

            i++;
        }

        return builder.ToString();
    }

    /// <summary>True when <see cref="Clean(string)"/> would change nothing: the common case, checked without copying.</summary>
    public static bool IsClean(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c == '\t' || c == Esc || IsDropped(c) || c is >= '\u0080' and <= '\u009f')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The same test on UTF-8 bytes, for the supervisor to check what a worker relays without decoding it: valid
    /// UTF-8, and none of the characters <see cref="Clean(string)"/> removes.
    /// </summary>
    public static bool IsCleanUtf8(ReadOnlySpan<byte> utf8)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8) || utf8.IndexOfAnyInRange((byte)0, (byte)0x1f) >= 0 || utf8.Contains((byte)0x7f))
        {
            return false;
        }

        // C1 controls are C2 80..C2 9F; bidi overrides E2 80 AA..AE and E2 81 A6..A9.
        var i = utf8.IndexOfAny((byte)0xc2, (byte)0xe2);
        while (i >= 0 && i < utf8.Length)
        {
            var rest = utf8[i..];
            if (rest[0] == 0xc2 && rest.Length > 1 && rest[1] is >= 0x80 and <= 0x9f)
            {
                return false;
            }

            if (rest[0] == 0xe2 && rest.Length > 2
                && ((rest[1] == 0x80 && rest[2] is >= 0xaa and <= 0xae) || (rest[1] == 0x81 && rest[2] is >= 0xa6 and <= 0xa9)))
            {
                return false;
            }

            var next = utf8[(i + 1)..].IndexOfAny((byte)0xc2, (byte)0xe2);
            i = next < 0 ? -1 : i + 1 + next;
        }

        return true;
    }

    private static bool IsDropped(char c) =>
        c < ' ' || c is '\u007f' or (>= '\u0080' and <= '\u009f')
        || c is (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069');

    // After ESC: what kind of sequence follows decides how far it reaches.
    private static int SkipEscape(string text, int i)
    {
        if (i >= text.Length)
        {
            return i;
        }

        switch (text[i])
        {
            case '[':
                return SkipControlSequence(text, i + 1);
            case ']' or 'P' or 'X' or '^' or '_':
                return SkipString(text, i + 1);
            default:
                // ESC, intermediates (0x20-0x2F), then one final character: ESC c, ESC ( B, ESC 7 ...
                while (i < text.Length && text[i] is >= ' ' and <= '/')
                {
                    i++;
                }

                return Math.Min(i + 1, text.Length);
        }
    }

    // CSI: parameters and intermediates (0x20-0x3F), then a final byte 0x40-0x7E.
    private static int SkipControlSequence(string text, int i)
    {
        while (i < text.Length && text[i] is >= ' ' and <= '?')
        {
            i++;
        }

        return Math.Min(i + 1, text.Length);
    }

    // OSC and friends run until BEL, ESC \ (ST) or C1 ST.
    private static int SkipString(string text, int i)
    {
        while (i < text.Length)
        {
            var c = text[i];
            if (c is Bel or '\u009c')
            {
                return i + 1;
            }

            if (c == Esc)
            {
                return i + 1 < text.Length && text[i + 1] == '\\' ? i + 2 : i + 1;
            }

            i++;
        }

        return i;
    }
}

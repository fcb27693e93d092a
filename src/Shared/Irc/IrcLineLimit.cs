namespace ChatFork.Irc;

/// <summary>
/// The 512-byte rule (RFC 1459 2.3, RFC 2812 2.3): a message, its CR-LF included, is at most 512 bytes, so its
/// content at most 510. IRCv3 message tags come on top and have a budget of their own (8191 bytes with the leading
/// '@' and the space after them). The Modern IRC documents let a server answer a longer line with
/// ERR_INPUTTOOLONG (417) and drop it, which is what ChatFork does: nothing of it is half-executed.
/// </summary>
internal static class IrcLineLimit
{
    /// <summary>The most bytes of a message without its CR-LF.</summary>
    public const int MaxContentBytes = 510;

    /// <summary>The most bytes of the tags part, '@' and the following space included.</summary>
    public const int MaxTagBytes = 8191;

    /// <summary>True if the line (without its terminator) breaks the rule.</summary>
    public static bool IsTooLong(ReadOnlySpan<byte> content)
    {
        if (content.Length > 0 && content[0] == (byte)'@')
        {
            var space = content.IndexOf((byte)' ');
            var tagBytes = space < 0 ? content.Length : space + 1;
            if (tagBytes > MaxTagBytes)
            {
                return true;
            }

            content = content[tagBytes..];
        }

        return content.Length > MaxContentBytes;
    }

    /// <summary>
    /// Cuts <paramref name="utf8"/> to at most <paramref name="maxBytes"/> bytes without splitting a UTF-8 sequence:
    /// what a server does to a relayed line that its own prefix made longer than 512 bytes.
    /// </summary>
    public static int FitUtf8(ReadOnlySpan<byte> utf8, int maxBytes)
    {
        if (utf8.Length <= maxBytes)
        {
            return utf8.Length;
        }

        var cut = maxBytes;
        // Back up over continuation bytes (10xxxxxx) to the start of the sequence that would be split.
        while (cut > 0 && (utf8[cut] & 0xC0) == 0x80)
        {
            cut--;
        }

        return cut;
    }
}

using System.Text;

namespace ChatFork.Text;

/// <summary>
/// <see cref="ChatCommand"/> parsed from a cleaned line's UTF-8 bytes, for the worker's hot path: the argument and the
/// text are slices of the line itself, valid as long as it is, so a chat line is never turned into a string. Decoded,
/// every field equals what <see cref="ChatCommand.Parse"/> gives for the same line as a string (the tests hold it to
/// that).
/// </summary>
internal readonly ref struct Utf8ChatCommand
{
    public Utf8ChatCommand(ChatCommandKind kind, ReadOnlySpan<byte> argument, ReadOnlySpan<byte> text)
    {
        Kind = kind;
        Argument = argument;
        Text = text;
    }

    public ChatCommandKind Kind { get; }

    /// <summary>The nick of <c>/nick</c> and <c>/msg</c>, or the name of an unknown command.</summary>
    public ReadOnlySpan<byte> Argument { get; }

    /// <summary>The chat text of a line, <c>/me</c> or <c>/msg</c>; the reason of <c>/quit</c>; a usage.</summary>
    public ReadOnlySpan<byte> Text { get; }

    /// <summary>Parses a line that <see cref="TextSanitizer"/> has cleaned (valid UTF-8).</summary>
    public static Utf8ChatCommand Parse(ReadOnlySpan<byte> line)
    {
        if (IsWhiteSpace(line))
        {
            return new Utf8ChatCommand(ChatCommandKind.Empty, default, default);
        }

        if (line[0] != (byte)'/')
        {
            return new Utf8ChatCommand(ChatCommandKind.Say, default, line);
        }

        if (line.Length > 1 && line[1] == (byte)'/')
        {
            return new Utf8ChatCommand(ChatCommandKind.Say, default, line[1..]);
        }

        var name = SplitWord(line[1..], out var rest);
        switch (KindOf(name))
        {
            case ChatCommandKind.Me:
                return IsWhiteSpace(rest) ? Usage("/me text"u8) : new Utf8ChatCommand(ChatCommandKind.Me, default, rest);
            case ChatCommandKind.Nick:
            {
                var nick = SplitWord(rest, out var extra);
                return nick.IsEmpty || !IsWhiteSpace(extra)
                    ? Usage("/nick NAME"u8)
                    : new Utf8ChatCommand(ChatCommandKind.Nick, nick, default);
            }
            case ChatCommandKind.Msg:
            {
                var nick = SplitWord(rest, out var text);
                return nick.IsEmpty || IsWhiteSpace(text)
                    ? Usage("/msg NICK text"u8)
                    : new Utf8ChatCommand(ChatCommandKind.Msg, nick, text);
            }
            case ChatCommandKind.Quit:
                return new Utf8ChatCommand(ChatCommandKind.Quit, default, Trim(rest));
            case ChatCommandKind.Crash:
                return new Utf8ChatCommand(ChatCommandKind.Crash, "crash"u8, default);
            case ChatCommandKind.Unknown:
                return new Utf8ChatCommand(ChatCommandKind.Unknown, name, default);
            case var kind:
                return new Utf8ChatCommand(kind, default, default);
        }
    }

    private static Utf8ChatCommand Usage(ReadOnlySpan<byte> usage) => new(ChatCommandKind.Usage, default, usage);

    // The string parser lowers the name with ToLowerInvariant, which turns a few letters outside ASCII into ASCII
    // ones (KELVIN SIGN U+212A into k), so a name that is not all ASCII takes the same road; it is rare and short.
    private static ChatCommandKind KindOf(ReadOnlySpan<byte> name)
    {
        if (!Ascii.IsValid(name))
        {
            return KindOfLowered(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(name).ToLowerInvariant()));
        }

        if (name.Length > 5)
        {
            return ChatCommandKind.Unknown;
        }

        Span<byte> lowered = stackalloc byte[5];
        Ascii.ToLower(name, lowered, out var length);
        return KindOfLowered(lowered[..length]);
    }

    private static ChatCommandKind KindOfLowered(ReadOnlySpan<byte> name) => name switch
    {
        _ when name.SequenceEqual("me"u8) => ChatCommandKind.Me,
        _ when name.SequenceEqual("nick"u8) => ChatCommandKind.Nick,
        _ when name.SequenceEqual("msg"u8) => ChatCommandKind.Msg,
        _ when name.SequenceEqual("who"u8) => ChatCommandKind.Who,
        _ when name.SequenceEqual("ps"u8) => ChatCommandKind.Ps,
        _ when name.SequenceEqual("quit"u8) => ChatCommandKind.Quit,
        _ when name.SequenceEqual("help"u8) => ChatCommandKind.Help,
        _ when name.SequenceEqual("crash"u8) => ChatCommandKind.Crash,
        _ => ChatCommandKind.Unknown,
    };

    // The first space-separated word, and what follows the spaces after it.
    private static ReadOnlySpan<byte> SplitWord(ReadOnlySpan<byte> text, out ReadOnlySpan<byte> rest)
    {
        text = text.TrimStart((byte)' ');
        var space = text.IndexOf((byte)' ');
        if (space < 0)
        {
            rest = default;
            return text;
        }

        rest = text[(space + 1)..].TrimStart((byte)' ');
        return text[..space];
    }

    // White space as char.IsWhiteSpace has it (no-break space, ideographic space ...), not only ASCII.
    private static bool IsWhiteSpace(ReadOnlySpan<byte> utf8)
    {
        while (!utf8.IsEmpty)
        {
            Rune.DecodeFromUtf8(utf8, out var rune, out var consumed);
            if (!Rune.IsWhiteSpace(rune))
            {
                return false;
            }

            utf8 = utf8[consumed..];
        }

        return true;
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> utf8)
    {
        while (!utf8.IsEmpty)
        {
            Rune.DecodeFromUtf8(utf8, out var rune, out var consumed);
            if (!Rune.IsWhiteSpace(rune))
            {
                break;
            }

            utf8 = utf8[consumed..];
        }

        while (!utf8.IsEmpty)
        {
            Rune.DecodeLastFromUtf8(utf8, out var rune, out var consumed);
            if (!Rune.IsWhiteSpace(rune))
            {
                break;
            }

            utf8 = utf8[..^consumed];
        }

        return utf8;
    }
}

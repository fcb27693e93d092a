namespace ChatFork.Text;

/// <summary>
/// One parsed line of chat input. Parsing is pure so every process model (and the tests) shares it:
/// a line that starts with <c>/</c> is a command, <c>//</c> sends a line that starts with <c>/</c>.
/// </summary>
internal readonly record struct ChatCommand(ChatCommandKind Kind, string Argument, string Text)
{
    public static readonly IReadOnlyList<string> HelpLines =
    [
        "commands:",
        "  /nick NAME       take a nick (letters, digits, - and _; up to 16)",
        "  /who             who is here, and which worker serves each",
        "  /msg NICK text   a private message",
        "  /me text         an action: ~ you text",
        "  /ps              the process table: supervisor and workers, uptime, memory",
        "  /quit [reason]   leave",
        "  /help            this list",
        "  //text           send a line that starts with /",
    ];

    public static ChatCommand Parse(string line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return new ChatCommand(ChatCommandKind.Empty, "", "");
        }

        if (line[0] != '/')
        {
            return new ChatCommand(ChatCommandKind.Say, "", line);
        }

        if (line.StartsWith("//", StringComparison.Ordinal))
        {
            return new ChatCommand(ChatCommandKind.Say, "", line[1..]);
        }

        var name = SplitWord(line.AsSpan(1), out var rest);
        var command = name.ToString().ToLowerInvariant();
        switch (command)
        {
            case "me":
                return rest.IsWhiteSpace() ? Usage("/me text") : new ChatCommand(ChatCommandKind.Me, "", rest.ToString());
            case "nick":
            {
                var nick = SplitWord(rest, out var extra);
                return nick.IsEmpty || !extra.IsWhiteSpace()
                    ? Usage("/nick NAME")
                    : new ChatCommand(ChatCommandKind.Nick, nick.ToString(), "");
            }
            case "msg":
            {
                var nick = SplitWord(rest, out var text);
                return nick.IsEmpty || text.IsWhiteSpace()
                    ? Usage("/msg NICK text")
                    : new ChatCommand(ChatCommandKind.Msg, nick.ToString(), text.ToString());
            }
            case "who":
                return new ChatCommand(ChatCommandKind.Who, "", "");
            case "ps":
                return new ChatCommand(ChatCommandKind.Ps, "", "");
            case "quit":
                return new ChatCommand(ChatCommandKind.Quit, "", rest.Trim().ToString());
            case "help":
                return new ChatCommand(ChatCommandKind.Help, "", "");
            case "crash":
                return new ChatCommand(ChatCommandKind.Crash, "crash", "");
            default:
                return new ChatCommand(ChatCommandKind.Unknown, name.ToString(), "");
        }
    }

    private static ChatCommand Usage(string usage) => new(ChatCommandKind.Usage, "", usage);

    // The first space-separated word, and what follows the spaces after it.
    private static ReadOnlySpan<char> SplitWord(ReadOnlySpan<char> text, out ReadOnlySpan<char> rest)
    {
        text = text.TrimStart(' ');
        var space = text.IndexOf(' ');
        if (space < 0)
        {
            rest = default;
            return text;
        }

        rest = text[(space + 1)..].TrimStart(' ');
        return text[..space];
    }
}

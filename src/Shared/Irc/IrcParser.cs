using System.Text;

namespace ChatFork.Irc;

/// <summary>
/// Parses one line from a client into an <see cref="IrcMessage"/>. The grammar is RFC 2812's
/// <c>[ ":" prefix SPACE ] command [ params ] crlf</c> with IRCv3 message tags in front (<c>@a=b;c </c>), as the Modern
/// IRC documents describe it: parameters are separated by one or more spaces, a parameter that starts with ':' is the
/// trailing one and takes the rest of the line, and after 14 middle parameters the rest is the 15th even without ':'.
/// </summary>
internal static class IrcParser
{
    public const int MaxParams = 15;

    /// <summary>
    /// Null for a line that holds nothing but spaces (RFC 2812: empty messages are silently ignored). The command is
    /// upper-cased; whether it is a known one is the caller's question.
    /// </summary>
    public static IrcMessage? Parse(string line)
    {
        var i = 0;
        SkipSpaces(line, ref i);
        if (i >= line.Length)
        {
            return null;
        }

        IReadOnlyDictionary<string, string> tags = s_noTags;
        if (line[i] == '@')
        {
            var end = IndexOfSpace(line, i);
            tags = ParseTags(line.AsSpan(i + 1, end - i - 1));
            i = end;
            SkipSpaces(line, ref i);
        }

        string? source = null;
        if (i < line.Length && line[i] == ':')
        {
            var end = IndexOfSpace(line, i);
            source = line[(i + 1)..end];
            i = end;
            SkipSpaces(line, ref i);
        }

        if (i >= line.Length)
        {
            return null; // tags or a source and no command: nothing to do
        }

        var commandEnd = IndexOfSpace(line, i);
        var command = line[i..commandEnd].ToUpperInvariant();
        i = commandEnd;

        var parameters = new List<string>();
        while (true)
        {
            SkipSpaces(line, ref i);
            if (i >= line.Length)
            {
                break;
            }

            if (line[i] == ':' || parameters.Count == MaxParams - 1)
            {
                parameters.Add(line[i] == ':' ? line[(i + 1)..] : line[i..]);
                break;
            }

            var end = IndexOfSpace(line, i);
            parameters.Add(line[i..end]);
            i = end;
        }

        return new IrcMessage(tags, source, command, parameters);
    }

    /// <summary>A command is letters, or exactly three digits (a numeric, which a client should not send).</summary>
    public static bool IsWellFormedCommand(string command) =>
        command.Length > 0 && (command.All(char.IsAsciiLetter) || (command.Length == 3 && command.All(char.IsAsciiDigit)));

    private static readonly Dictionary<string, string> s_noTags = [];

    // <tags> ::= <tag> [';' <tag>]*, <tag> ::= <key> ['=' <escaped value>]; a later duplicate key wins.
    private static Dictionary<string, string> ParseTags(ReadOnlySpan<char> text)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var range in text.Split(';'))
        {
            var tag = text[range];
            if (tag.IsEmpty)
            {
                continue;
            }

            var equals = tag.IndexOf('=');
            var key = (equals < 0 ? tag : tag[..equals]).ToString();
            tags[key] = equals < 0 ? "" : UnescapeTagValue(tag[(equals + 1)..]);
        }

        return tags;
    }

    // IRCv3 message-tags escaping: \: ; \s space, \\ \, \r CR, \n LF; a lone trailing \ is dropped, \x is x.
    private static string UnescapeTagValue(ReadOnlySpan<char> value)
    {
        if (!value.Contains('\\'))
        {
            return value.ToString();
        }

        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\')
            {
                builder.Append(value[i]);
                continue;
            }

            if (++i >= value.Length)
            {
                break;
            }

            builder.Append(value[i] switch
            {
                ':' => ';',
                's' => ' ',
                'r' => '\r',
                'n' => '\n',
                var other => other,
            });
        }

        return builder.ToString();
    }

    private static void SkipSpaces(string line, ref int i)
    {
        while (i < line.Length && line[i] == ' ')
        {
            i++;
        }
    }

    private static int IndexOfSpace(string line, int from)
    {
        var space = line.IndexOf(' ', from);
        return space < 0 ? line.Length : space;
    }
}

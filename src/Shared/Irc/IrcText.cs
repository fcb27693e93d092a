using System.Text;

namespace ChatFork.Irc;

/// <summary>
/// Turns a client's raw line into text the rest of ChatFork can carry. IRC is bytes, but ChatFork's frames are UTF-8
/// (005 says <c>UTF8ONLY</c>): invalid sequences become U+FFFD. NUL and a CR inside a line cannot be in an IRC message
/// and are removed. Everything else, IRC's own formatting codes (bold ^B, colour ^C, CTCP's ^A) included, is kept:
/// IRC clients expect them and render them themselves.
/// </summary>
internal static class IrcText
{
    public static string Decode(ReadOnlySpan<byte> content)
    {
        var text = Encoding.UTF8.GetString(content);
        return text.AsSpan().IndexOfAny('\0', '\r', '\n') < 0 ? text : text.Replace("\0", "").Replace("\r", "").Replace("\n", "");
    }

    /// <summary>True if <paramref name="text"/> may be one parameter of a line the server sends.</summary>
    public static bool IsCarryable(string text) => text.AsSpan().IndexOfAny('\0', '\r', '\n') < 0;
}

namespace ChatFork.Irc;

/// <summary>
/// What a nick, a user name and a channel name may be. Nicks follow RFC 2812 2.3.1:
/// <c>( letter / special ) *( letter / digit / special / "-" )</c> with special one of <c>[ ] \ ` _ ^ { | }</c>, at
/// most <see cref="NickLength"/> characters (RFC 2812 says 9; 005 says NICKLEN=30, as most servers allow today). That
/// grammar already keeps out everything the Modern IRC documents forbid (space, comma, '*', '?', '!', '@', a leading
/// '#', ':' or '$'). A channel name is '#' and then up to 49 characters other than NUL, BELL, CR, LF, space, comma
/// and ':' (RFC 2812 1.3), 50 in all (CHANNELLEN=50).
/// </summary>
internal static class IrcNames
{
    public const int NickLength = 30;
    public const int ChannelLength = 50;
    public const int UserLength = 16;
    public const char ChannelPrefix = '#';

    public static bool IsValidNick(string nick)
    {
        if (nick.Length is 0 or > NickLength || !(char.IsAsciiLetter(nick[0]) || IsSpecial(nick[0])))
        {
            return false;
        }

        foreach (var c in nick)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !IsSpecial(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True for something that is meant as a channel (it starts with a channel type from CHANTYPES).</summary>
    public static bool LooksLikeChannel(string name) => name.Length > 0 && name[0] == ChannelPrefix;

    public static bool IsValidChannel(string name)
    {
        if (name.Length is < 2 or > ChannelLength || name[0] != ChannelPrefix)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is '\0' or '\a' or '\r' or '\n' or ' ' or ',' or ':')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The user name a client gave in USER, made safe for the <c>nick!user@host</c> source: cut at a character that
    /// cannot be in it ('@', '!', space, controls), at most <see cref="UserLength"/>, prefixed '~' as servers do when
    /// no ident server confirmed it. Empty input gives "~user".
    /// </summary>
    public static string SanitizeUser(string user)
    {
        var kept = new string(user.TakeWhile(c => c > ' ' && c is not ('@' or '!' or ':' or '\u007f')).Take(UserLength - 1).ToArray());
        return "~" + (kept.Length == 0 ? "user" : kept);
    }

    private static bool IsSpecial(char c) => c is '[' or ']' or '\\' or '`' or '_' or '^' or '{' or '|' or '}';
}

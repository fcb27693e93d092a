namespace ChatFork.Text;

/// <summary>
/// What a nick may be: 1 to 16 characters, ASCII letters, digits, <c>-</c> and <c>_</c>, starting with a letter.
/// Nicks are compared without regard to case (<c>Alice</c> and <c>alice</c> are the same person).
/// </summary>
internal static class NickRules
{
    public const int MaxLength = 16;

    public static StringComparer Comparer => StringComparer.OrdinalIgnoreCase;

    /// <summary>Null when the nick is acceptable, else a sentence that says what is wrong.</summary>
    public static string? Check(string nick)
    {
        if (nick.Length == 0)
        {
            return "a nick cannot be empty";
        }

        if (nick.Length > MaxLength)
        {
            return $"a nick may be at most {MaxLength} characters long";
        }

        if (!char.IsAsciiLetter(nick[0]))
        {
            return "a nick must start with a letter";
        }

        foreach (var c in nick)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return "a nick may hold only letters, digits, - and _";
            }
        }

        return null;
    }

    public static bool IsValid(string nick) => Check(nick) is null;
}

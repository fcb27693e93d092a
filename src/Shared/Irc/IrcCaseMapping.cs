namespace ChatFork.Irc;

/// <summary>
/// The <c>rfc1459</c> case mapping, which ChatFork states in 005 (<c>CASEMAPPING=rfc1459</c>): A-Z are the upper case
/// of a-z, and, because of IRC's Scandinavian origin, <c>[]\~</c> are the upper case of <c>{}|^</c>. Nicks and channel
/// names that fold to the same string are the same nick, the same channel.
/// </summary>
internal sealed class IrcCaseMapping : IEqualityComparer<string>
{
    public const string Name = "rfc1459";

    public static readonly IrcCaseMapping Comparer = new();

    public static char Fold(char c) => c switch
    {
        >= 'A' and <= 'Z' => (char)(c + 32),
        '[' => '{',
        ']' => '}',
        '\\' => '|',
        '~' => '^',
        _ => c,
    };

    public static string Fold(string s) => string.Create(s.Length, s, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = Fold(source[i]);
        }
    });

    public bool Equals(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null && y is null;
        }

        if (x.Length != y.Length)
        {
            return false;
        }

        for (var i = 0; i < x.Length; i++)
        {
            if (Fold(x[i]) != Fold(y[i]))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(string obj)
    {
        var hash = new HashCode();
        foreach (var c in obj)
        {
            hash.Add(Fold(c));
        }

        return hash.ToHashCode();
    }
}

using System.Text;

namespace ChatFork.Platform;

/// <summary>
/// Builds a Windows command line from separate arguments, quoted so that the C runtime's parser (and .NET's
/// <c>args</c>) splits it back into exactly those arguments: the rules of <c>CommandLineToArgvW</c>, which
/// dotnet/runtime's PasteArguments follows too. Backslashes count only before a double quote.
/// </summary>
internal static class WindowsCommandLine
{
    public static string Build(string program, IEnumerable<string> arguments)
    {
        var line = new StringBuilder();
        Append(line, program);
        foreach (var argument in arguments)
        {
            line.Append(' ');
            Append(line, argument);
        }

        return line.ToString();
    }

    private static void Append(StringBuilder line, string argument)
    {
        if (argument.Length > 0 && argument.AsSpan().IndexOfAny(" \t\n\v\"") < 0)
        {
            line.Append(argument);
            return;
        }

        line.Append('"');
        var backslashes = 0;
        foreach (var c in argument)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }

            // Backslashes before a quote are doubled, and the quote escaped; elsewhere they stand as they are.
            line.Append('\\', c == '"' ? backslashes * 2 + 1 : backslashes);
            line.Append(c);
            backslashes = 0;
        }

        // Before the closing quote, backslashes are doubled so that it still closes.
        line.Append('\\', backslashes * 2);
        line.Append('"');
    }
}

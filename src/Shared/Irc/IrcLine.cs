using System.Text;

namespace ChatFork.Irc;

/// <summary>
/// Builds the lines a server sends: <c>:source COMMAND param ... :trailing</c>. The last parameter always goes after
/// ':' when it may need it (it is empty, holds a space, or starts with ':'); numerics' human text always does. A
/// line is cut to 510 bytes (on a UTF-8 boundary) so that, with CR-LF, it keeps the 512-byte rule.
/// </summary>
internal static class IrcLine
{
    /// <summary>A line from <paramref name="source"/>; the last of <paramref name="parameters"/> is trailing.</summary>
    public static string Build(string source, string command, params ReadOnlySpan<string> parameters)
    {
        var builder = new StringBuilder(64);
        builder.Append(':').Append(source).Append(' ').Append(command);
        for (var i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            builder.Append(' ');
            if (i == parameters.Length - 1 && (p.Length == 0 || p.Contains(' ') || p[0] == ':'))
            {
                builder.Append(':');
            }

            builder.Append(p);
        }

        return Fit(builder.ToString());
    }

    /// <summary>A line whose last parameter is always written as trailing (":text"), as numerics' texts are.</summary>
    public static string BuildTrailing(string source, string command, params ReadOnlySpan<string> parameters)
    {
        var builder = new StringBuilder(64);
        builder.Append(':').Append(source).Append(' ').Append(command);
        for (var i = 0; i < parameters.Length; i++)
        {
            builder.Append(' ');
            if (i == parameters.Length - 1)
            {
                builder.Append(':');
            }

            builder.Append(parameters[i]);
        }

        return Fit(builder.ToString());
    }

    /// <summary><c>:server NNN target params... :text</c>.</summary>
    public static string Numeric(string server, string numeric, string target, params ReadOnlySpan<string> parameters)
    {
        var all = new string[parameters.Length + 1];
        all[0] = target;
        parameters.CopyTo(all.AsSpan(1));
        return BuildTrailing(server, numeric, all);
    }

    /// <summary>The <c>ERROR</c> a server sends right before it closes a connection.</summary>
    public static string ClosingLink(string host, string reason) => $"ERROR :Closing Link: {host} ({reason})";

    private static string Fit(string line)
    {
        if (line.Length <= IrcLineLimit.MaxContentBytes / 3)
        {
            return line; // even all three-byte characters would fit
        }

        var bytes = Encoding.UTF8.GetBytes(line);
        var fit = IrcLineLimit.FitUtf8(bytes, IrcLineLimit.MaxContentBytes);
        return fit == bytes.Length ? line : Encoding.UTF8.GetString(bytes, 0, fit);
    }
}

using System.Text;

namespace ChatFork.Supervisor.Room;

/// <summary>
/// The bytes of the lines the room sends: its own notices, encoded, and chat lines, the sender's nick put in front
/// of the text. A span it returns is valid until the next call (one written in place in a rented line: until its
/// event is released); the room hands it to every member at once, each copies it, and only then is the next made.
/// </summary>
internal sealed class LineFormatter
{
    private byte[] _scratch = new byte[1024];

    /// <summary>A line of the room's own (a notice), in UTF-8.</summary>
    public ReadOnlySpan<byte> Encode(string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        EnsureScratch(length);
        return _scratch.AsSpan(0, Encoding.UTF8.GetBytes(text, _scratch));
    }

    // prefix + nick + separator + text: written in front of the text in its own rented buffer (no copy of the text),
    // or built in the scratch buffer if the prefix does not fit there.
    public ReadOnlySpan<byte> Chat(string prefix, string nick, string separator, RentedLine text)
    {
        Span<byte> head = stackalloc byte[RentedLine.HeadRoom];
        var headLength = prefix.Length + Encoding.UTF8.GetByteCount(nick) + separator.Length;
        if (headLength <= head.Length)
        {
            var n = Encoding.UTF8.GetBytes(prefix, head);
            n += Encoding.UTF8.GetBytes(nick, head[n..]);
            n += Encoding.UTF8.GetBytes(separator, head[n..]);
            if (text.TryPrefix(head[..n], out var line))
            {
                return line;
            }
        }

        var body = text.Text;
        EnsureScratch(headLength + body.Length);
        var span = _scratch.AsSpan();
        var m = Encoding.UTF8.GetBytes(prefix, span);
        m += Encoding.UTF8.GetBytes(nick, span[m..]);
        m += Encoding.UTF8.GetBytes(separator, span[m..]);
        body.CopyTo(span[m..]);
        return span[..(m + body.Length)];
    }

    private void EnsureScratch(int length)
    {
        if (_scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        }
    }
}

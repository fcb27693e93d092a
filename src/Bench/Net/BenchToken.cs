using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ChatFork.Bench.Net;

/// <summary>
/// The tag carried by every line the bench sends: <c>b{run}:s{sender}:n{number}</c> for data and
/// <c>b{run}:s{sender}:w{round}</c> for the readiness barrier. Servers add prefixes (<c>&lt;user5&gt; </c>) and send
/// lines of their own (greetings, join notices), so receivers look for the tag anywhere in a line and ignore lines
/// without it. The run number keeps stragglers of an earlier run from being counted. Parsing works on the raw bytes so
/// that half a million deliveries cost no string allocations.
/// </summary>
internal sealed class BenchToken
{
    public const byte DataKind = (byte)'n';
    public const byte BarrierKind = (byte)'w';

    private readonly byte[] _prefix;

    public BenchToken(int runId)
    {
        RunId = runId;
        _prefix = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"b{runId}:s"));
    }

    public int RunId { get; }

    /// <summary>A token with a fresh random run number.</summary>
    public static BenchToken ForNewRun() => new(RandomNumberGenerator.GetInt32(10_000, 100_000));

    /// <summary>The whole line, ending in <c>\n</c>, with <paramref name="filler"/> after the tag.</summary>
    public byte[] Line(int sender, byte kind, int number, string filler = "")
    {
        Span<byte> scratch = stackalloc byte[64];
        var length = WriteTag(scratch, sender, kind, number);
        var line = new byte[length + 1 + filler.Length + 1];
        scratch[..length].CopyTo(line);
        line[length] = (byte)' ';
        Encoding.ASCII.GetBytes(filler, line.AsSpan(length + 1));
        line[^1] = (byte)'\n';
        return line;
    }

    /// <summary>Finds the first intact tag of this run in <paramref name="line"/>.</summary>
    public bool TryParse(ReadOnlySpan<byte> line, out int sender, out byte kind, out int number)
    {
        while (TryReadNext(ref line, out var intact, out sender, out kind, out number))
        {
            if (intact)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Moves <paramref name="text"/> past the next mention of this run. A relay that forwards whatever one read gave
    /// it, rather than whole lines (ncat does), can splice the start of one sender's line onto another's, so a line
    /// may hold several tags, and a tag may be cut. Returns false when there is no further mention; otherwise
    /// <paramref name="intact"/> says whether the tag could be read.
    /// </summary>
    public bool TryReadNext(
        ref ReadOnlySpan<byte> text, out bool intact, out int sender, out byte kind, out int number)
    {
        intact = false;
        sender = 0;
        kind = 0;
        number = 0;
        var at = text.IndexOf(_prefix);
        if (at < 0)
        {
            text = default;
            return false;
        }

        text = text[(at + _prefix.Length)..];
        if (!TryReadNumber(ref text, out sender) || text.Length < 2 || text[0] != (byte)':'
            || (text[1] != DataKind && text[1] != BarrierKind))
        {
            return true;
        }

        kind = text[1];
        text = text[2..];

        // The tag is always followed by a space; without it the line was cut inside the number, and the number
        // read would be wrong.
        intact = TryReadNumber(ref text, out number) && !text.IsEmpty && text[0] == (byte)' ';
        return true;
    }

    private int WriteTag(Span<byte> destination, int sender, byte kind, int number)
    {
        _prefix.CopyTo(destination);
        var at = _prefix.Length;
        sender.TryFormat(destination[at..], out var written, default, CultureInfo.InvariantCulture);
        at += written;
        destination[at++] = (byte)':';
        destination[at++] = kind;
        number.TryFormat(destination[at..], out written, default, CultureInfo.InvariantCulture);
        return at + written;
    }

    private static bool TryReadNumber(ref ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        var digits = 0;
        while (digits < text.Length && digits < 9 && (uint)(text[digits] - '0') <= 9)
        {
            value = (value * 10) + (text[digits] - '0');
            digits++;
        }

        text = text[digits..];
        return digits > 0;
    }
}

using System.Buffers;
using System.Text;

namespace ChatFork.Text;

/// <summary>
/// The cleaner on UTF-8 bytes, for the worker's hot path: a chat line goes from the socket to the pipe frame without
/// becoming a string. It removes exactly what <see cref="Clean(string)"/> removes, and its output is byte for byte
/// <c>Encoding.UTF8.GetBytes(Clean(utf8))</c> (the unit tests hold it to that).
/// </summary>
/// <remarks>
/// Everything that starts, ends or is scanned over in an escape sequence is ASCII or <c>C2 9C</c> (C1 ST), and a
/// UTF-8 decoder starts afresh at every such byte, so those scans can run bytewise; only what is kept, dropped or
/// taken as a sequence's final character is decoded, with <see cref="Rune.DecodeFromUtf8"/>, which replaces the
/// same invalid subsequences with U+FFFD as <c>Encoding.UTF8</c> does.
/// </remarks>
internal static partial class TextSanitizer
{
    private static ReadOnlySpan<byte> ReplacementUtf8 => [0xef, 0xbf, 0xbd];

    /// <summary>
    /// The most bytes <see cref="CleanUtf8(ReadOnlySpan{byte}, Span{byte})"/> writes for <paramref name="length"/>
    /// input bytes: each invalid byte may become a three-byte U+FFFD.
    /// </summary>
    public static int MaxCleanedLength(int length) => checked(length * 3);

    /// <summary>Cleans one line (without its terminator) onto the end of <paramref name="output"/>.</summary>
    public static void CleanUtf8(ReadOnlySpan<byte> utf8, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var written = CleanUtf8(utf8, output.GetSpan(MaxCleanedLength(utf8.Length)));
        output.Advance(written);
    }

    /// <summary>
    /// Cleans one line (without its terminator) into <paramref name="destination"/>, which must hold at least
    /// <see cref="MaxCleanedLength"/> bytes, and returns how many it wrote. What it writes passes
    /// <see cref="IsCleanUtf8"/>.
    /// </summary>
    public static int CleanUtf8(ReadOnlySpan<byte> utf8, Span<byte> destination)
    {
        if (destination.Length < MaxCleanedLength(utf8.Length))
        {
            throw new ArgumentException(
                $"The destination holds {destination.Length} bytes; cleaning {utf8.Length} bytes may need "
                + $"{MaxCleanedLength(utf8.Length)}.",
                nameof(destination));
        }

        var written = 0;
        var i = 0;
        while (i < utf8.Length)
        {
            var b = utf8[i];
            if (b < 0x80)
            {
                if (b == (byte)Esc)
                {
                    i = SkipEscape(utf8, i + 1, destination, ref written);
                    continue;
                }

                if (b == (byte)'\t')
                {
                    destination[written++] = (byte)' ';
                }
                else if (!IsDropped((char)b))
                {
                    destination[written++] = b;
                }

                i++;
                continue;
            }

            if (Rune.DecodeFromUtf8(utf8[i..], out var rune, out var consumed) != OperationStatus.Done)
            {
                ReplacementUtf8.CopyTo(destination[written..]);
                written += ReplacementUtf8.Length;
                i += consumed;
                continue;
            }

            switch (rune.Value)
            {
                case 0x9b: // CSI
                    i = SkipControlSequence(utf8, i + consumed, destination, ref written);
                    continue;
                case 0x9d or 0x90 or 0x98 or 0x9e or 0x9f: // OSC, DCS, SOS, PM, APC
                    i = SkipString(utf8, i + consumed);
                    continue;
            }

            if (!rune.IsBmp || !IsDropped((char)rune.Value))
            {
                utf8.Slice(i, consumed).CopyTo(destination[written..]);
                written += consumed;
            }

            i += consumed;
        }

        return written;
    }

    private static int SkipEscape(ReadOnlySpan<byte> utf8, int i, Span<byte> destination, ref int written)
    {
        if (i >= utf8.Length)
        {
            return i;
        }

        switch (utf8[i])
        {
            case (byte)'[':
                return SkipControlSequence(utf8, i + 1, destination, ref written);
            case (byte)']' or (byte)'P' or (byte)'X' or (byte)'^' or (byte)'_':
                return SkipString(utf8, i + 1);
            default:
                while (i < utf8.Length && utf8[i] is >= (byte)' ' and <= (byte)'/')
                {
                    i++;
                }

                return SkipFinal(utf8, i, destination, ref written);
        }
    }

    private static int SkipControlSequence(ReadOnlySpan<byte> utf8, int i, Span<byte> destination, ref int written)
    {
        while (i < utf8.Length && utf8[i] is >= (byte)' ' and <= (byte)'?')
        {
            i++;
        }

        return SkipFinal(utf8, i, destination, ref written);
    }

    // A sequence's final character is one UTF-16 char in the string cleaner. A character beyond the BMP is two
    // (a surrogate pair), so the string cleaner takes only the first and leaves a lone low surrogate, which
    // Encoding.UTF8 writes as U+FFFD: the same U+FFFD is written here, to stay byte for byte the same.
    private static int SkipFinal(ReadOnlySpan<byte> utf8, int i, Span<byte> destination, ref int written)
    {
        if (i >= utf8.Length)
        {
            return i;
        }

        if (utf8[i] < 0x80)
        {
            return i + 1;
        }

        if (Rune.DecodeFromUtf8(utf8[i..], out var rune, out var consumed) == OperationStatus.Done && !rune.IsBmp)
        {
            ReplacementUtf8.CopyTo(destination[written..]);
            written += ReplacementUtf8.Length;
        }

        return i + consumed;
    }

    // OSC and friends run until BEL, ESC \ (ST) or C1 ST (C2 9C).
    private static int SkipString(ReadOnlySpan<byte> utf8, int i)
    {
        while (i < utf8.Length)
        {
            var b = utf8[i];
            if (b == (byte)Bel)
            {
                return i + 1;
            }

            if (b == (byte)Esc)
            {
                return i + 1 < utf8.Length && utf8[i + 1] == (byte)'\\' ? i + 2 : i + 1;
            }

            if (b == 0xc2 && i + 1 < utf8.Length && utf8[i + 1] == 0x9c)
            {
                return i + 2;
            }

            i++;
        }

        return i;
    }
}

namespace ChatFork.Text;

/// <summary>
/// Finds line ends in a TCP byte stream (TCP keeps no message boundaries; a line may arrive in pieces or many lines
/// in one read). Both <c>\n</c> and <c>\r\n</c> end a line. Memory is bounded by the limit: a client that sends
/// 10 MB without a newline costs at most one line's worth before <see cref="LineStatus.TooLong"/>.
/// </summary>
internal sealed class LineSplitter
{
    private readonly int _maxLineBytes;
    private readonly byte[] _partial;
    private int _partialLength;
    private bool _partialEmitted;
    private bool _tooLong;

    /// <param name="maxLineBytes">The most bytes a line may hold, not counting its terminator.</param>
    public LineSplitter(int maxLineBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, 1);
        _maxLineBytes = maxLineBytes;
        // room for the line, a '\r' and the '\n'
        _partial = new byte[maxLineBytes + 2];
    }

    public int MaxLineBytes => _maxLineBytes;

    /// <summary>True while the start of a line has arrived and its end has not.</summary>
    public bool HasPartialLine => !_tooLong && !_partialEmitted && _partialLength > 0;

    /// <summary>
    /// Takes bytes from the front of <paramref name="input"/> until a line is whole. On <see cref="LineStatus.Line"/>,
    /// <paramref name="rawLine"/> is the line with its terminator, valid until the next call; <paramref name="input"/>
    /// is left holding what follows it.
    /// </summary>
    public LineStatus Next(ref ReadOnlySpan<byte> input, out ReadOnlySpan<byte> rawLine)
    {
        rawLine = default;
        if (_tooLong)
        {
            return LineStatus.TooLong;
        }

        if (_partialEmitted)
        {
            _partialLength = 0;
            _partialEmitted = false;
        }

        var newline = input.IndexOf((byte)'\n');
        if (newline < 0)
        {
            // Allow one byte past the limit: a '\r' whose '\n' is in the next chunk.
            if (_partialLength + input.Length > _maxLineBytes + 1)
            {
                _tooLong = true;
                return LineStatus.TooLong;
            }

            input.CopyTo(_partial.AsSpan(_partialLength));
            _partialLength += input.Length;
            input = default;
            return LineStatus.NeedMore;
        }

        var piece = input[..(newline + 1)];
        input = input[(newline + 1)..];
        if (_partialLength + piece.Length > _maxLineBytes + 2)
        {
            _tooLong = true;
            return LineStatus.TooLong;
        }

        if (_partialLength == 0)
        {
            rawLine = piece;
        }
        else
        {
            piece.CopyTo(_partial.AsSpan(_partialLength));
            _partialLength += piece.Length;
            rawLine = _partial.AsSpan(0, _partialLength);
            _partialEmitted = true;
        }

        if (Content(rawLine).Length > _maxLineBytes)
        {
            _tooLong = true;
            rawLine = default;
            return LineStatus.TooLong;
        }

        return LineStatus.Line;
    }

    /// <summary>
    /// At end of stream: the unterminated last line, if any (<c>printf hello | nc</c> sends one). It is within the
    /// limit, or <see cref="Next"/> would have said <see cref="LineStatus.TooLong"/>.
    /// </summary>
    public bool TryTakeRemainder(out ReadOnlySpan<byte> rawLine)
    {
        if (_partialEmitted)
        {
            _partialLength = 0;
            _partialEmitted = false;
        }

        if (_tooLong || _partialLength == 0)
        {
            rawLine = default;
            return false;
        }

        rawLine = _partial.AsSpan(0, Math.Min(_partialLength, _maxLineBytes));
        _partialEmitted = true;
        return true;
    }

    /// <summary>A line without its <c>\n</c> or <c>\r\n</c>.</summary>
    public static ReadOnlySpan<byte> Content(ReadOnlySpan<byte> rawLine)
    {
        if (rawLine.Length > 0 && rawLine[^1] == (byte)'\n')
        {
            rawLine = rawLine[..^1];
            if (rawLine.Length > 0 && rawLine[^1] == (byte)'\r')
            {
                rawLine = rawLine[..^1];
            }
        }

        return rawLine;
    }
}

using System.Buffers.Binary;

namespace ChatFork.Protocol;

/// <summary>
/// Cuts a byte stream into frames. Bytes go in through <see cref="GetReadBuffer"/> and <see cref="Advance"/> (so a
/// socket reads straight into the decoder's buffer) or <see cref="Append"/>; whole frames come out of
/// <see cref="TryReadFrame"/>.
/// </summary>
/// <remarks>
/// The decoder is the supervisor's first line of defence against a worker gone wrong: a length of zero, a length
/// above the limit or an unknown type throws <see cref="ProtocolException"/> before any payload is looked at, and
/// the buffer never grows past one maximal frame, whatever arrives.
/// </remarks>
internal sealed class FrameDecoder
{
    private readonly int _maxFrameLength;
    private readonly Func<FrameType, bool> _acceptType;
    private byte[] _buffer;
    private int _start;
    private int _end;

    /// <param name="maxFrameLength">The largest length field accepted (type byte plus payload).</param>
    /// <param name="acceptType">Which frame types this side may receive.</param>
    /// <param name="initialCapacity">The buffer's starting size; it grows up to one maximal frame.</param>
    public FrameDecoder(int maxFrameLength, Func<FrameType, bool> acceptType, int initialCapacity = 16 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameLength, 1);
        _maxFrameLength = maxFrameLength;
        _acceptType = acceptType;
        _buffer = new byte[Math.Max(initialCapacity, FrameHeader.Size)];
    }

    /// <summary>Bytes received but not yet returned as frames.</summary>
    public int Buffered => _end - _start;

    /// <summary>A span to receive into; call <see cref="Advance"/> with the count received.</summary>
    public Memory<byte> GetReadBuffer()
    {
        Compact();
        if (_end == _buffer.Length)
        {
            // Full, yet no whole frame in it: the frame in progress is longer than the buffer.
            Grow(_buffer.Length * 2);
            if (_end == _buffer.Length)
            {
                throw new InvalidOperationException("The decoder is full of whole frames; read them before receiving more.");
            }
        }

        return _buffer.AsMemory(_end);
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _end);
        _end += count;
    }

    /// <summary>
    /// Copies bytes in (they may hold many frames; the buffer grows to take them all). For tests and for bytes that
    /// arrived by other means; a socket should read through <see cref="GetReadBuffer"/>.
    /// </summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        Compact();
        if (_buffer.Length - _end < bytes.Length)
        {
            var bigger = new byte[Math.Max(_end - _start + bytes.Length, _buffer.Length * 2)];
            Buffer.BlockCopy(_buffer, _start, bigger, 0, _end - _start);
            _end -= _start;
            _start = 0;
            _buffer = bigger;
        }

        bytes.CopyTo(_buffer.AsSpan(_end));
        _end += bytes.Length;
    }

    /// <summary>Returns the next whole frame, or false when more bytes are needed.</summary>
    /// <exception cref="ProtocolException">The stream holds something that is not a valid frame.</exception>
    public bool TryReadFrame(out Frame frame)
    {
        var available = _end - _start;
        if (available < FrameHeader.Size)
        {
            frame = default;
            return false;
        }

        var header = _buffer.AsSpan(_start, FrameHeader.Size);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length == 0)
        {
            throw new ProtocolException("A frame has length zero; every frame carries at least its type byte.");
        }

        if (length > (uint)_maxFrameLength)
        {
            throw new ProtocolException($"A frame claims {length} bytes; the limit is {_maxFrameLength}.");
        }

        var type = (FrameType)header[4];
        if (!_acceptType(type))
        {
            throw new ProtocolException($"Frame type {(byte)type} is not one this side accepts.");
        }

        var total = 4 + (int)length;
        if (available < total)
        {
            if (total > _buffer.Length)
            {
                Grow(total);
            }

            frame = default;
            return false;
        }

        frame = new Frame(type, _buffer.AsSpan(_start + FrameHeader.Size, total - FrameHeader.Size));
        _start += total;
        return true;
    }

    private void Compact()
    {
        if (_start == 0)
        {
            return;
        }

        if (_start == _end)
        {
            _start = _end = 0;
            return;
        }

        // Only when the tail is short or the buffer is full, so a busy stream is not copied on every read.
        if (_end == _buffer.Length || _end - _start < 512)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
    }

    private void Grow(int atLeast)
    {
        var limit = _maxFrameLength + 4;
        var size = Math.Min(Math.Max(atLeast, _buffer.Length * 2), Math.Max(limit, _buffer.Length));
        if (size <= _buffer.Length)
        {
            return;
        }

        var bigger = new byte[size];
        Buffer.BlockCopy(_buffer, _start, bigger, 0, _end - _start);
        _end -= _start;
        _start = 0;
        _buffer = bigger;
    }
}

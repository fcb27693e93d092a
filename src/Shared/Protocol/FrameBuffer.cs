using System.Buffers.Binary;
using System.Text;

namespace ChatFork.Protocol;

/// <summary>
/// A growable byte buffer that frames are written into, back to back, so that many frames leave in one write
/// (the coalescing nginx and ncat do). Not thread-safe: one owner writes it, then hands <see cref="WrittenMemory"/>
/// to a single write and calls <see cref="Clear"/>.
/// </summary>
/// <remarks>
/// Use <see cref="BeginFrame"/>, the <c>Write*</c> methods, then <see cref="EndFrame"/>; the header's length is
/// filled in at the end, so no payload is measured twice.
/// </remarks>
internal sealed class FrameBuffer
{
    private byte[] _buffer;
    private int _length;
    private int _frameStart = -1;

    public FrameBuffer(int initialCapacity = 4096)
    {
        _buffer = new byte[Math.Max(initialCapacity, FrameHeader.Size)];
    }

    /// <summary>Bytes written so far (complete frames only, unless a frame is open).</summary>
    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public void Clear()
    {
        _length = 0;
        _frameStart = -1;
    }

    public void BeginFrame(FrameType type)
    {
        if (_frameStart >= 0)
        {
            throw new InvalidOperationException("A frame is already open; call EndFrame first.");
        }

        _frameStart = _length;
        Reserve(FrameHeader.Size);
        _buffer[_length + 4] = (byte)type;
        _length += FrameHeader.Size;
    }

    public void EndFrame()
    {
        if (_frameStart < 0)
        {
            throw new InvalidOperationException("No frame is open.");
        }

        var frameLength = _length - _frameStart - 4; // counts the type byte and the payload
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_frameStart), (uint)frameLength);
        _frameStart = -1;
    }

    public void WriteByte(byte value)
    {
        Reserve(1);
        _buffer[_length++] = value;
    }

    public void WriteUInt16(ushort value)
    {
        Reserve(2);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(_length), value);
        _length += 2;
    }

    public void WriteInt32(int value)
    {
        Reserve(4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void WriteInt64(long value)
    {
        Reserve(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        Reserve(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    /// <summary>Writes a string as UTF-8 with no length prefix (a frame's last field).</summary>
    public void WriteUtf8(ReadOnlySpan<char> value)
    {
        Reserve(Encoding.UTF8.GetMaxByteCount(value.Length));
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
    }

    /// <summary>Writes a string as UTF-8 after a u16 byte count.</summary>
    public void WriteUtf8WithLength(ReadOnlySpan<char> value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        if (count > ushort.MaxValue)
        {
            throw new ArgumentException($"A length-prefixed string may hold at most {ushort.MaxValue} bytes.", nameof(value));
        }

        WriteUInt16((ushort)count);
        WriteUtf8(value);
    }

    /// <summary>Writes a whole frame whose payload is one UTF-8 text.</summary>
    public void WriteTextFrame(FrameType type, ReadOnlySpan<char> text)
    {
        BeginFrame(type);
        WriteUtf8(text);
        EndFrame();
    }

    /// <summary>Writes a whole frame whose payload is the given bytes.</summary>
    public void WriteFrame(FrameType type, ReadOnlySpan<byte> payload)
    {
        BeginFrame(type);
        WriteBytes(payload);
        EndFrame();
    }

    /// <summary>A <see cref="FrameType.Line"/> frame: the room's sequence number and the line's UTF-8 text.</summary>
    public void WriteLineFrame(long sequence, ReadOnlySpan<byte> utf8Text)
    {
        BeginFrame(FrameType.Line);
        WriteInt64(sequence);
        WriteBytes(utf8Text);
        EndFrame();
    }

    private void Reserve(int count)
    {
        if (_buffer.Length - _length >= count)
        {
            return;
        }

        var size = Math.Max(checked(_length + count), _buffer.Length * 2);
        Array.Resize(ref _buffer, size);
    }
}

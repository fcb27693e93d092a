using System.Buffers.Binary;
using System.Text;

namespace ChatFork.Protocol;

/// <summary>
/// Reads the fields of one frame's payload in order. Every read is bounds-checked and a short payload is a
/// <see cref="ProtocolException"/>: a frame is either read whole and valid, or rejected.
/// </summary>
internal ref struct PayloadReader
{
    // Strict decoding: a worker that sends invalid UTF-8 has broken the protocol (it must sanitise first).
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private ReadOnlySpan<byte> _rest;
    private readonly FrameType _type;

    public PayloadReader(ReadOnlySpan<byte> payload, FrameType type)
    {
        _rest = payload;
        _type = type;
    }

    public readonly int Remaining => _rest.Length;

    public byte ReadByte() => Take(1)[0];

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public ReadOnlySpan<byte> ReadBytes(int count) => Take(count);

    /// <summary>The rest of the payload, as bytes.</summary>
    public ReadOnlySpan<byte> ReadRest()
    {
        var rest = _rest;
        _rest = default;
        return rest;
    }

    /// <summary>The rest of the payload as UTF-8 text.</summary>
    public string ReadRestUtf8() => Decode(ReadRest());

    /// <summary>A UTF-8 string after a u16 byte count.</summary>
    public string ReadUtf8WithLength() => Decode(Take(ReadUInt16()));

    /// <summary>Fails if any byte is left: a frame longer than its type allows is as wrong as a short one.</summary>
    public readonly void EnsureEnd()
    {
        if (!_rest.IsEmpty)
        {
            throw new ProtocolException($"A {_type} frame has {_rest.Length} unexpected trailing bytes.");
        }
    }

    private string Decode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return s_strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ProtocolException($"A {_type} frame holds text that is not valid UTF-8.", e);
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _rest.Length)
        {
            throw new ProtocolException($"A {_type} frame ends early: it needs {count} more bytes, {_rest.Length} are left.");
        }

        var taken = _rest[..count];
        _rest = _rest[count..];
        return taken;
    }
}

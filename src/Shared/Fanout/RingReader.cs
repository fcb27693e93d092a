using System.Buffers.Binary;
using ChatFork.Protocol;

namespace ChatFork.Fanout;

/// <summary>A line read from the ring: its room sequence number and its bytes (valid until the next read).</summary>
internal delegate void RingLineSink(long sequence, ReadOnlySpan<byte> line);

/// <summary>
/// A worker's side of the room's ring: reads the records after its own position, skipping those that leave its
/// member out (its own chat lines). No threads, no blocking, no system calls: the worker's loop asks
/// <see cref="TryRead"/> or <see cref="Drain"/> whenever it likes, and <see cref="CaughtUp"/> tells it when it may
/// sleep (and then it tells the supervisor so, which rings its doorbell on the next line).
/// </summary>
/// <remarks>
/// Every record is copied out first and checked after the copy: the supervisor never writes over what a live member
/// has not reported read, but should that ever fail, a reader that finds the writer has passed over its record
/// (<see cref="RingLayout"/>'s <c>writing</c> field), a record that does not start where it should, or a sequence
/// number that does not grow, throws a <see cref="ProtocolException"/> rather than hand its client a torn line.
/// </remarks>
internal sealed class RingReader
{
    private readonly RingMemory _ring;
    private byte[] _scratch = new byte[4096];
    private long _memberId = long.MinValue;
    private long _lastSequence;

    public RingReader(RingMemory ring)
    {
        if (Volatile.Read(ref ring.Magic) != RingLayout.Magic || ring.Version != RingLayout.Version || ring.StoredCapacity != ring.Capacity)
        {
            throw new ProtocolException($"The shared ring is not a ChatFork ring of {ring.Capacity} bytes (wrong magic, version or capacity).");
        }

        _ring = ring;
    }

    public long Capacity => _ring.Capacity;

    /// <summary>False until <see cref="Join"/>: the member's place in the ring is not known yet.</summary>
    public bool Joined { get; private set; }

    /// <summary>The position up to which this reader has read.</summary>
    public long Position { get; private set; }

    /// <summary>The last sequence number read from the ring.</summary>
    public long LastSequence => _lastSequence;

    /// <summary>The published head, read with acquire semantics.</summary>
    public long Head => Volatile.Read(ref _ring.Head);

    /// <summary>True when there is nothing more to read now.</summary>
    public bool CaughtUp => !Joined || Position == Head;

    /// <summary>Starts reading at <paramref name="position"/> (the head when the member joined), as <paramref name="memberId"/>.</summary>
    public void Join(long position, long memberId)
    {
        if (Joined)
        {
            throw new ProtocolException("The supervisor said where this member joins the ring twice.");
        }

        var head = Head;
        if (position < 0 || position > head || head - position > _ring.Capacity || (position & 7) != 0)
        {
            throw new ProtocolException($"The ring position {position} to join at is not a record's start (the head is {head}).");
        }

        Position = position;
        _memberId = memberId;
        Joined = true;
    }

    /// <summary>
    /// The member left (a <c>--reusable</c> worker's client is gone): nothing is read until the next
    /// <see cref="Join"/>. The last sequence stays: the room's numbers only grow, for the next member too.
    /// </summary>
    public void Leave()
    {
        Joined = false;
        _memberId = long.MinValue;
    }

    /// <summary>
    /// Reads the next record for this member, skipping the ones that leave it out. Empty when it reached the head (or
    /// <paramref name="upTo"/>, if that is nearer). The line stays valid until the next call.
    /// </summary>
    public RingReadResult TryRead(out long sequence, out ReadOnlySpan<byte> line, long upTo = long.MaxValue)
    {
        while (true)
        {
            var head = Head;
            var end = Math.Min(head, upTo);
            if (!Joined || Position >= end)
            {
                sequence = 0;
                line = default;
                return RingReadResult.Empty;
            }

            if (head - Position > _ring.Capacity)
            {
                throw new ProtocolException($"This worker fell a whole ring behind (at {Position}, the head at {head}, the ring {_ring.Capacity} bytes): lines were written over before it read them.");
            }

            Span<byte> header = stackalloc byte[RingLayout.RecordHeaderSize];
            _ring.CopyOut(Position, header);
            var length = BinaryPrimitives.ReadInt32LittleEndian(header);
            var check = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
            sequence = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
            var excluded = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
            var size = length >= 0 && check == ~length ? (long)RingLayout.RecordSize(length) : -1;
            if (size < 0 || Position + size > head)
            {
                CheckNotOverwritten();
                throw new ProtocolException($"The ring holds no whole record at {Position} (the head is {head}).");
            }

            if (_scratch.Length < length)
            {
                _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
            }

            var bytes = _scratch.AsSpan(0, length);
            if (excluded != _memberId)
            {
                _ring.CopyOut(Position + RingLayout.RecordHeaderSize, bytes);
            }

            // The copy is done; only now may we know whether the writer came round over it meanwhile.
            CheckNotOverwritten();
            if (sequence <= _lastSequence)
            {
                throw new ProtocolException($"The ring's record at {Position} has sequence {sequence}, after {_lastSequence}: the room's order is broken.");
            }

            _lastSequence = sequence;
            Position += size;
            if (excluded == _memberId)
            {
                continue; // this member's own line: the others read it, it does not
            }

            line = bytes;
            return RingReadResult.Record;
        }
    }

    /// <summary>
    /// Hands the lines up to <paramref name="upTo"/> (at most about <paramref name="maxBytes"/> of ring) to
    /// <paramref name="sink"/>. Returns the number of lines handed over.
    /// </summary>
    public int Drain(RingLineSink sink, int maxBytes, long upTo = long.MaxValue)
    {
        var lines = 0;
        var start = Position;
        while (Position - start < maxBytes && TryRead(out var sequence, out var line, upTo) == RingReadResult.Record)
        {
            sink(sequence, line);
            lines++;
        }

        return lines;
    }

    private void CheckNotOverwritten()
    {
        Interlocked.MemoryBarrier(); // the copies above complete before Writing is read
        var writing = Volatile.Read(ref _ring.Writing);
        if (writing - _ring.Capacity > Position)
        {
            throw new ProtocolException($"The record at {Position} was written over while it was read (the writer reached {writing}, the ring is {_ring.Capacity} bytes): a torn record.");
        }
    }
}

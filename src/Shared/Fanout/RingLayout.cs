using System.Buffers.Binary;

namespace ChatFork.Fanout;

/// <summary>
/// The layout of a room's ring in shared memory (<c>--fanout shm</c>): one page of header, then the data area of
/// <c>capacity</c> bytes (a power of two), written by the supervisor alone and read by every worker.
/// </summary>
/// <remarks>
/// <para>Positions are byte counts since the ring was made (they never wrap; a 64-bit count of bytes will not
/// overflow); a position's place in the data area is <c>position &amp; (capacity - 1)</c>. A record may wrap round
/// the end of the area: readers and the writer copy in two parts then.</para>
/// <para>Header fields, each on a cache line of its own so that the writer's stores do not bounce the readers' line
/// more than they must:</para>
/// <list type="table">
/// <item><term>0</term><description>magic <c>CFRG</c> (u32), version (u32), capacity (i64): written once</description></item>
/// <item><term>64</term><description><c>head</c> (i64): where the next record goes; everything below it is
///   written. Stored with release semantics after the record, read by workers with acquire.</description></item>
/// <item><term>128</term><description><c>writing</c> (i64): the end of the record being written, stored (with a
///   full fence) before its bytes. A reader that copied a record at <c>p</c> and then finds
///   <c>writing - capacity &gt; p</c> knows the writer may have written over it meanwhile: a torn record.</description></item>
/// </list>
/// <para>A record: <c>[i32 length][i32 ~length][i64 sequence][i64 excluded member id][length bytes of the line,
/// without its terminator]</c>, padded to 8 bytes. The complement is a cheap check that a reader is at a record's
/// start; the sequence (the room's order) must grow from one record to the next.</para>
/// <para>Beside the ring, each worker has a cursor page of its own (<see cref="RingCursorPage"/>), which it writes and
/// the supervisor reads: how far it has read, and whether it sleeps waiting for a doorbell. It is shared memory, not a
/// frame on the pipe, because a worker whose pipe the room has stopped reading (flow control slows a sender that
/// way) must still be able to say it has read on; a report on that pipe would wait behind the very lines being held
/// back.</para>
/// </remarks>
internal static class RingLayout
{
    public const uint Magic = 0x47524643; // "CFRG", little-endian
    public const uint Version = 1;
    public const int HeadOffset = 64;
    public const int WritingOffset = 128;
    public const int DataOffset = 4096;
    public const int RecordHeaderSize = 24;

    /// <summary>No member is left out of the record (a line for everyone, such as a nick change).</summary>
    public const long NobodyExcluded = -1;

    /// <summary>A worker's cursor page: what it has read (i64, at 0), and whether it sleeps (i32, at 64).</summary>
    public const int CursorPageSize = 4096;
    public const int CursorPositionOffset = 0;
    public const int CursorSleepingOffset = 64;

    public const long MinCapacity = 64 * 1024;
    public const long MaxCapacity = 1L << 30;

    /// <summary>Bytes to map for a ring of <paramref name="capacity"/>.</summary>
    public static long MappingSize(long capacity) => DataOffset + capacity;

    /// <summary>A record's size in the ring: its header, its line, padded to 8.</summary>
    public static int RecordSize(int lineLength) => (RecordHeaderSize + lineLength + 7) & ~7;

    public static bool IsValidCapacity(long capacity) =>
        capacity is >= MinCapacity and <= MaxCapacity && (capacity & (capacity - 1)) == 0;

    public static void WriteRecordHeader(Span<byte> header, int length, long sequence, long excluded)
    {
        BinaryPrimitives.WriteInt32LittleEndian(header, length);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], ~length);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], sequence);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], excluded);
    }
}

using System.Buffers;

namespace ChatFork.Supervisor.Room;

/// <summary>
/// A chat line's UTF-8 text in an array rented from the shared pool, with room in front of it for the prefix the room
/// puts on it (<c>&lt;nick&gt; </c>, <c>* nick </c>): the room formats the line in place, without another copy, and
/// each receiving member copies it once into its next pipe write.
/// </summary>
/// <remarks>Owned by the <see cref="RoomEvent"/> that carries it: whoever consumes the event calls <see cref="RoomEvent.Release"/>.</remarks>
internal readonly struct RentedLine
{
    /// <summary>Bytes kept free in front of the text: the longest prefix, "&lt;" + a 16-byte nick + "&gt; ", fits.</summary>
    public const int HeadRoom = 24;

    private readonly byte[] _array;
    private readonly int _length;
    private readonly ILineBudget? _budget;

    private RentedLine(byte[] array, int length, ILineBudget? budget)
    {
        _array = array;
        _length = length;
        _budget = budget;
    }

    public ReadOnlySpan<byte> Text => _array.AsSpan(HeadRoom, _length);

    /// <param name="budget">Told of the line's bytes now and again when it is returned (the room's flow control).</param>
    public static RentedLine Copy(ReadOnlySpan<byte> utf8, ILineBudget? budget = null)
    {
        var array = ArrayPool<byte>.Shared.Rent(HeadRoom + utf8.Length);
        utf8.CopyTo(array.AsSpan(HeadRoom));
        budget?.Taken(utf8.Length);
        return new RentedLine(array, utf8.Length, budget);
    }

    public int Length => _length;

    /// <summary>
    /// The same line, now counted by <paramref name="budget"/> until it is returned: for a line the moment it is
    /// posted to the room, not before (a line decoded but waiting to be posted is not in transit; counting it made
    /// every waiting sender wait for the others' unposted lines, and the room stalled for good).
    /// </summary>
    public RentedLine CountedBy(ILineBudget budget)
    {
        budget.Taken(_length);
        return new RentedLine(_array, _length, budget);
    }

    /// <summary>
    /// The line with <paramref name="prefix"/> written in front of it, in place; false if the prefix is longer than
    /// the room kept free (the caller formats elsewhere then).
    /// </summary>
    public bool TryPrefix(scoped ReadOnlySpan<byte> prefix, out ReadOnlySpan<byte> line)
    {
        if (prefix.Length > HeadRoom)
        {
            line = default;
            return false;
        }

        var start = HeadRoom - prefix.Length;
        prefix.CopyTo(_array.AsSpan(start));
        line = _array.AsSpan(start, prefix.Length + _length);
        return true;
    }

    public void Return()
    {
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _budget?.Returned(_length);
        }
    }
}

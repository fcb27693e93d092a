using ChatFork.Platform;
using ChatFork.Protocol;

namespace ChatFork.Fanout;

/// <summary>
/// A worker's whole part in <c>--fanout shm</c>, for whatever loop drives it: the mapped ring and its reader, the
/// frames about it from the supervisor (<see cref="FrameType.RingJoin"/>, <see cref="FrameType.RingLine"/>,
/// <see cref="FrameType.Doorbell"/>), and the reports back (<see cref="TakeReport"/>). No threads, no blocking.
/// </summary>
/// <remarks>
/// A loop uses it so: hand it those frames as they come; <see cref="Drain"/> after each batch; send what
/// <see cref="TakeReport"/> gives; and when <see cref="CaughtUp"/>, wait on the pipe alone (the report just sent said
/// "asleep here", so the supervisor sends a doorbell with the next line). While it is not caught up, it must not
/// wait on the pipe; it should look at the pipe (without waiting) between drains, so that lines on the pipe are
/// not held up behind a long run in the ring.
/// </remarks>
internal sealed class RingFeed : IDisposable
{
    private static readonly TimeSpan s_reportEvery = TimeSpan.FromSeconds(1);

    private readonly RingMapping _mapping;
    private readonly RingReader _reader;
    private long _reported;
    private long _reportedAt = Environment.TickCount64;
    private bool _saidAsleep;

    public RingFeed(RingMapping mapping)
    {
        _mapping = mapping;
        _reader = new RingReader(mapping.Memory);
    }

    public RingReader Reader => _reader;

    /// <summary>Nothing more in the ring for this member now (or it has not joined yet).</summary>
    public bool CaughtUp => _reader.CaughtUp;

    /// <summary>A <see cref="FrameType.RingJoin"/> frame: where this member starts reading.</summary>
    public void OnJoin(Frame frame)
    {
        var reader = frame.Reader();
        var memberId = reader.ReadInt64();
        var position = reader.ReadInt64();
        reader.EnsureEnd();
        _reader.Join(position, memberId);
        _reported = position;
    }

    /// <summary>
    /// A <see cref="FrameType.RingLine"/> frame: first everything in the ring below its position (if not read yet),
    /// then the line itself, all to <paramref name="sink"/>.
    /// </summary>
    public void OnLine(Frame frame, RingLineSink sink)
    {
        var reader = frame.Reader();
        var sequence = reader.ReadInt64();
        var position = reader.ReadInt64();
        var line = reader.ReadRest();
        if (!_reader.Joined)
        {
            throw new ProtocolException("A RingLine frame arrived before RingJoin.");
        }

        // The position is a lower bound: what the room said before this line, the client reads before it. A reader
        // that is already past it (it read the ring while the line was on its way) writes it at once, after
        // broadcasts the room sequenced just after it; each client still sees one order, with no line missing.

        while (_reader.Position < position)
        {
            if (_reader.Drain(sink, int.MaxValue, upTo: position) == 0 && _reader.Position < position)
            {
                throw new ProtocolException($"A RingLine frame waits for ring position {position}, which the ring's head ({_reader.Head}) has not reached.");
            }
        }

        sink(sequence, line);
    }

    /// <summary>A <see cref="FrameType.Doorbell"/>: the supervisor saw this worker asleep and rang; it is awake now.</summary>
    public void OnDoorbell() => _saidAsleep = false;

    /// <summary>Hands up to about <paramref name="maxBytes"/> of the ring's lines to <paramref name="sink"/>; the number of lines.</summary>
    public int Drain(RingLineSink sink, int maxBytes) => _reader.Drain(sink, maxBytes);

    /// <summary>
    /// The report to send now, if one is due: "asleep at P" when caught up (once per doorbell), else the position
    /// after every quarter ring read, and once a second while reading, so that a slow but steady reader is not taken
    /// for a stalled one.
    /// </summary>
    public bool TakeReport(out RingPositionMessage report)
    {
        var position = _reader.Position;
        var now = Environment.TickCount64;
        if (_reader.Joined && !_saidAsleep && _reader.CaughtUp)
        {
            _saidAsleep = true;
            return Sent(new RingPositionMessage(position, Sleeping: true), now, out report);
        }

        if (position - _reported >= _reader.Capacity / 4 || (position != _reported && now - _reportedAt >= (long)s_reportEvery.TotalMilliseconds))
        {
            return Sent(new RingPositionMessage(position, Sleeping: false), now, out report);
        }

        report = default;
        return false;
    }

    public void Dispose() => _mapping.Dispose();

    private bool Sent(RingPositionMessage message, long now, out RingPositionMessage report)
    {
        _reported = message.Position;
        _reportedAt = now;
        report = message;
        return true;
    }
}

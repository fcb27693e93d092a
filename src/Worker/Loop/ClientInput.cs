using ChatFork.Protocol;
using ChatFork.Sessions;
using ChatFork.Text;

namespace ChatFork.Worker.Loop;

/// <summary>
/// What the client sent, on its way to the line handler, for the loop worker: one read's bytes, cut into lines, each
/// held until the rate limit (<see cref="LinePacer"/>) lets it go. A held line is not slept on, as the blocking
/// session does: the bytes stay here, the loop stops reading the socket (so TCP pushes back on the client) and wakes
/// at <see cref="HeldUntil"/> to go on. Also keeps the time the line in progress began, for <c>--line-timeout</c>.
/// </summary>
internal sealed class ClientInput
{
    private readonly LineSplitter _splitter;
    private readonly LinePacer? _pacer;
    private readonly SessionLimits _limits;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;
    // When the line in progress began (its first byte was read), or null between lines. A slowloris client trickles
    // bytes and never a newline: the idle timeout never fires, so the line itself has a deadline.
    private TimeSpan? _lineStarted;

    public ClientInput(SessionLimits limits, TimeSpan now)
    {
        _limits = limits;
        _splitter = new LineSplitter(limits.MaxLineBytes);
        _pacer = limits.LineRate > 0 ? new LinePacer(limits.LineRate, limits.LineBurst, limits.FloodTimeout, now) : null;
    }

    /// <summary>Bytes read but not passed on yet: the rate limit holds them, and the socket is not read meanwhile.</summary>
    public bool IsHeld => _start < _end;

    /// <summary>When the held bytes may go on (meaningful while <see cref="IsHeld"/>).</summary>
    public TimeSpan HeldUntil { get; private set; }

    /// <summary>When the line in progress must be whole (--line-timeout), or null.</summary>
    public TimeSpan? LineDeadline =>
        !IsHeld && _lineStarted is { } started && _limits.LineTimeout > TimeSpan.Zero ? started + _limits.LineTimeout : null;

    /// <summary>Where the next read goes; only while nothing is held.</summary>
    public Span<byte> ReadBuffer => IsHeld ? throw new InvalidOperationException("Bytes are held; pass them on first.") : _buffer;

    public void Received(int count)
    {
        _start = 0;
        _end = count;
    }

    /// <summary>
    /// Passes on the lines that may go now, then flushes the handler once. Ends the session (by throwing, through
    /// <paramref name="session"/>) on a line over the limit or a flood.
    /// </summary>
    public void Pump(ILineHandler handler, ISessionControl session, TimeSpan now)
    {
        var passedOn = false;
        while (_start < _end)
        {
            ReadOnlySpan<byte> input = _buffer.AsSpan(_start, _end - _start);
            // Ask the pacer only for a line that will be whole: a piece without its newline costs no token.
            if (_pacer is not null && input.Contains((byte)'\n') && !_pacer.Next(now, out var wait))
            {
                handler.OnBatchEnd(); // what came before the pause goes now
                if (wait == Timeout.InfiniteTimeSpan)
                {
                    SessionEnds.Flood(session, _limits);
                }

                HeldUntil = now + wait;
                if (passedOn)
                {
                    _lineStarted = null;
                }

                return;
            }

            var before = input.Length;
            var status = _splitter.Next(ref input, out var line);
            _start += before - input.Length;
            if (status == LineStatus.Line)
            {
                passedOn = true;
                handler.OnLine(line);
            }
            else if (status == LineStatus.TooLong)
            {
                handler.OnBatchEnd();
                var max = _splitter.MaxLineBytes;
                session.EndSession(LeaveReason.LineTooLong, $"client sent a line over {max} bytes (--max-line)",
                    $"* line too long (the limit is {max} bytes); disconnecting");
            }
        }

        _start = 0;
        _end = 0;
        handler.OnBatchEnd();
        if (!_splitter.HasPartialLine)
        {
            _lineStarted = null;
        }
        else if (_lineStarted is null || passedOn)
        {
            // Measured after the lines were passed on: time spent held back by the rate limit is not the client's.
            _lineStarted = now;
        }
    }

    /// <summary>At end of stream: an unterminated last line still counts (<c>printf hello | nc</c>).</summary>
    public void FeedRemainder(ILineHandler handler)
    {
        if (_splitter.TryTakeRemainder(out var last))
        {
            handler.OnLine(last);
            handler.OnBatchEnd();
        }
    }
}

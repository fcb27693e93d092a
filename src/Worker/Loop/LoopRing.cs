using System.Diagnostics.CodeAnalysis;
using System.Runtime.Versioning;
using ChatFork.Fanout;
using ChatFork.Platform;
using ChatFork.Protocol;

namespace ChatFork.Worker.Loop;

/// <summary>
/// The loop worker's part in <c>--fanout shm</c>: the room's ring and this worker's cursor page, mapped once while it
/// waits in the pool (two <see cref="FrameType.RingAttach"/> frames, each memfd riding on its frame's bytes with
/// SCM_RIGHTS, as the client's socket does on the hand-off; on Windows each frame names a file mapping), and the
/// <see cref="RingFeed"/> over them. No thread and
/// no wait of its own: <see cref="WorkerLoop"/> hands it the ring's frames, lets it <see cref="Drain"/> after each
/// batch, and asks it whether it may block (<see cref="MayBlock"/>).
/// </summary>
/// <remarks>
/// Lines from the ring and lines for this client alone (<see cref="FrameType.RingLine"/>) enter the client's queue in
/// the one place the room's lines do (<see cref="ClientOutbox.EnqueueLine"/>, through
/// <see cref="LoopSession.EnqueueRoomLine"/> for the pipe's). A <c>--reusable</c> worker keeps the mappings from one
/// client to the next; each session is a new member of the room, which starts at its own
/// <see cref="FrameType.RingJoin"/> (<see cref="Begin"/> / <see cref="End"/>).
/// </remarks>
// CA1001: the mappings live as long as the process, which exits without disposing the loop.
[SupportedOSPlatform("linux")]
[SupportedOSPlatform("windows")]
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "Lives as long as the process.")]
internal sealed class LoopRing
{
    /// <summary>
    /// At most this much of the ring a turn: between two runs the loop looks at the pipe (without waiting) and sends
    /// to the client, so a line on the pipe is not held up behind a long run in the ring, and the client's queue
    /// overshoots <c>--send-queue</c> by at most this, as it does by one pipe read without the ring.
    /// </summary>
    public const int DrainBytesPerTurn = 64 * 1024;

    private readonly RingLineSink _fromRing;
    private readonly RingLineSink _fromPipe;
    private readonly RingAttachment _attachment = new();
    private RingFeed? _feed;
    private LoopSession? _session;

    public LoopRing()
    {
        _fromRing = (_, line) => _session!.Client.EnqueueLine(line); // the ring's order is checked by RingReader
        _fromPipe = (sequence, line) => _session!.EnqueueRoomLine(sequence, line);
    }

    /// <summary>Both parts are mapped: this worker reads the room's broadcasts from the ring.</summary>
    public bool IsAttached => _feed is not null;

    /// <summary>
    /// A <see cref="FrameType.RingAttach"/> in the pool: maps the ring (read-only) or the cursor page (read-write)
    /// from the descriptor that came with it (<see cref="RingAttachment"/>, which the threaded worker uses too).
    /// </summary>
    public void Attach(Frame frame, ReceivedDescriptor received)
    {
        _attachment.Add(frame, received);
        _feed = _attachment.Feed;
    }

    /// <summary>A client was handed over: its lines go to this session's queue (the member joins at RingJoin).</summary>
    public void Begin(LoopSession session) => _session = session;

    /// <summary>The session is over: the member leaves the ring; the mappings stay for the next client.</summary>
    public void End()
    {
        _feed?.Leave();
        _session = null;
    }

    /// <summary>Takes RingJoin, RingLine and Doorbell while serving; false for any other frame (the session's).</summary>
    public bool OnFrame(Frame frame)
    {
        if (_feed is null)
        {
            return false;
        }

        switch (frame.Type)
        {
            case FrameType.RingJoin:
                _feed.OnJoin(frame);
                return true;
            case FrameType.RingLine:
                _feed.OnLine(frame, _fromPipe);
                return true;
            case FrameType.Doorbell:
                RingFeed.OnDoorbell(); // it woke the poll; the drain after this batch reads what it rang for
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// After each batch of frames: up to <see cref="DrainBytesPerTurn"/> of the ring into the client's queue, unless
    /// that queue is past <c>--send-queue</c> (then the ring waits, as the pipe does: the room's flow control sees it
    /// in the cursor page); then the position into the cursor page. Returns the number of lines queued.
    /// </summary>
    public int Drain()
    {
        if (_feed is null || _session is null)
        {
            return 0;
        }

        var lines = _session.Client.IsOverLimit ? 0 : _feed.Drain(_fromRing, DrainBytesPerTurn);
        _feed.Publish();
        return lines;
    }

    /// <summary>
    /// Whether the loop may block in <c>poll</c>: yes without a ring, or while the client's queue is past its limit
    /// (the ring is not read then; the client's socket wakes the loop); no while the ring has more (poll with timeout
    /// 0, read on); when caught up, only once the sleeping flag is raised (<see cref="RingFeed.TrySleep"/>), so that
    /// the next line's doorbell finds the loop in <c>poll</c>.
    /// </summary>
    public bool MayBlock()
    {
        if (_feed is null || _session is null || _session.Client.IsOverLimit)
        {
            return true;
        }

        return _feed.CaughtUp && _feed.TrySleep();
    }
}

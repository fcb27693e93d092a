using System.Diagnostics.CodeAnalysis;
using ChatFork.Fanout;
using ChatFork.Platform;
using ChatFork.Protocol;

namespace ChatFork.Worker;

/// <summary>
/// The two <see cref="FrameType.RingAttach"/> frames of <c>--fanout shm</c>, as a worker takes them while it waits in
/// the pool: the room's ring, mapped read-only, and this worker's cursor page, read-write (each a memfd that rides on
/// its frame with SCM_RIGHTS on Linux, a mapping's name on Windows). <see cref="Feed"/> exists once both have come.
/// The loop's <see cref="Loop.LoopRing"/> attaches through it.
/// </summary>
// CA1001: the mappings live as long as the process, which exits without disposing them.
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "Lives as long as the process.")]
internal sealed class RingAttachment
{
    private RingMapping? _ring;
    private RingMapping? _cursor;
    private long _capacity;

    /// <summary>The feed over the ring and the cursor page, once both are mapped.</summary>
    public RingFeed? Feed { get; private set; }

    /// <summary>Maps the part <paramref name="frame"/> names. Throws <see cref="ProtocolException"/> for a part sent twice.</summary>
    public void Add(Frame frame, ReceivedDescriptor received)
    {
        var message = RingAttachMessage.Read(frame);
        if (message.Part == RingPart.Ring ? _ring is not null : _cursor is not null)
        {
            throw new ProtocolException($"The supervisor sent the ring's {message.Part} twice.");
        }

        var mapping = CurrentPlatform.RingShare.Open(message, received);
        if (message.Part == RingPart.Ring)
        {
            _ring = mapping;
            _capacity = message.Capacity;
        }
        else
        {
            _cursor = mapping;
        }

        if (_ring is not null && _cursor is not null)
        {
            Feed = new RingFeed(_ring, _capacity, _cursor);
        }
    }
}

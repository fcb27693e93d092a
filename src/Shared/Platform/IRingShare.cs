using System.IO.Pipes;
using ChatFork.Protocol;

namespace ChatFork.Platform;

/// <summary>
/// How <c>--fanout shm</c>'s shared memory is made and shared: the room's ring and one cursor page per worker. A memfd
/// passed with SCM_RIGHTS on Linux (<see cref="MemfdRingShare"/>), a named file mapping on Windows
/// (<see cref="NamedMappingRingShare"/>).
/// </summary>
internal interface IRingShare
{
    /// <summary>A short name for logs.</summary>
    string Name { get; }

    /// <summary>
    /// Supervisor: makes zeroed shared memory, mapped read-write: the ring of <paramref name="capacity"/> bytes (workers
    /// will get it read-only), or a cursor page (the worker will get it read-write).
    /// </summary>
    RingMapping Create(RingPart part, long capacity);

    /// <summary>Supervisor: sends the <see cref="FrameType.RingAttach"/> frame (and on Linux the memfd) down a worker's pipe. Nothing else may write to the pipe meanwhile.</summary>
    void Send(PipeStream pipe, RingPart part, RingMapping mapping, long capacity);

    /// <summary>Worker: maps what the frame names (or whose descriptor came with it): the ring read-only, its cursor page read-write.</summary>
    RingMapping Open(RingAttachMessage message, ReceivedDescriptor received);
}

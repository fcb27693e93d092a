using System.IO.Pipes;
using ChatFork.Protocol;

namespace ChatFork.Platform;

/// <summary>
/// How the room's ring (<c>--fanout shm</c>) is made and shared: a memfd passed with SCM_RIGHTS on Linux
/// (<see cref="MemfdRingShare"/>), a named file mapping on Windows (<see cref="NamedMappingRingShare"/>).
/// </summary>
internal interface IRingShare
{
    /// <summary>A short name for logs.</summary>
    string Name { get; }

    /// <summary>Supervisor: makes a zeroed ring of <paramref name="capacity"/> bytes, mapped read-write.</summary>
    RingMapping Create(long capacity);

    /// <summary>Supervisor: sends the <see cref="FrameType.RingAttach"/> frame (and on Linux the memfd) down a worker's pipe. Nothing else may write to the pipe meanwhile.</summary>
    void Send(PipeStream pipe, RingMapping ring);

    /// <summary>Worker: maps the ring the frame names (or whose descriptor came with it) read-only.</summary>
    RingMapping Open(RingAttachMessage message, ReceivedDescriptor received);
}

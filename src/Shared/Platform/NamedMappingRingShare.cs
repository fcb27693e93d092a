using System.IO.MemoryMappedFiles;
using System.IO.Pipes;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using ChatFork.Protocol;

namespace ChatFork.Platform;

/// <summary>
/// Windows: file mappings backed by the paging file (<c>CreateFileMappingW</c>), named
/// <c>Local\chatfork-ring-PID-RANDOM</c> (the ring) and <c>Local\chatfork-cursor-PID-RANDOM</c> (a worker's page): in
/// this session's namespace, with 128 random bits no other process can guess. The name travels in the
/// <see cref="FrameType.RingAttach"/> frame; the worker opens the ring with <c>FILE_MAP_READ</c> only
/// (<c>OpenFileMappingW</c>, <c>MapViewOfFile</c>), its page read-write. Unlike Linux's read-only memfd, a worker of
/// the same user that knows the ring's name could open it writable: the mapping's default DACL allows its owner.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class NamedMappingRingShare : IRingShare
{
    private const string RingPrefix = @"Local\chatfork-ring-";
    private const string CursorPrefix = @"Local\chatfork-cursor-";

    public string Name => "named file mapping";

    public RingMapping Create(RingPart part, long capacity)
    {
        var prefix = part == RingPart.Ring ? RingPrefix : CursorPrefix;
        var name = $"{prefix}{Environment.ProcessId}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(16))}";
        var size = RingAttachMessage.SizeOf(part, capacity);
        try
        {
            var file = MemoryMappedFile.CreateNew(name, size, MemoryMappedFileAccess.ReadWrite);
            return new RingMapping(file, size, writable: true, mappingName: name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ChatForkException($"Could not make shared memory for --fanout shm (CreateFileMappingW {name}): {e.Message}");
        }
    }

    public void Send(PipeStream pipe, RingPart part, RingMapping mapping, long capacity)
    {
        var frame = new FrameBuffer(128);
        new RingAttachMessage(part, capacity, mapping.MappingName).WriteTo(frame);
        pipe.Write(frame.WrittenSpan);
    }

    public RingMapping Open(RingAttachMessage message, ReceivedDescriptor received)
    {
        var ring = message.Part == RingPart.Ring;
        if (!message.IsValid || !message.MappingName.StartsWith(ring ? RingPrefix : CursorPrefix, StringComparison.Ordinal))
        {
            throw new ProtocolException($"A RingAttach frame names '{message.MappingName}' of {message.Capacity} bytes, which is not ChatFork's.");
        }

        try
        {
            var file = MemoryMappedFile.OpenExisting(message.MappingName, ring ? MemoryMappedFileRights.Read : MemoryMappedFileRights.ReadWrite);
            return new RingMapping(file, message.Size, writable: !ring, mappingName: message.MappingName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProtocolException($"The shared memory {message.MappingName} could not be opened: {e.Message}");
        }
    }
}

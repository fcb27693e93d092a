using System.IO.MemoryMappedFiles;
using System.IO.Pipes;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using ChatFork.Fanout;
using ChatFork.Protocol;

namespace ChatFork.Platform;

/// <summary>
/// The Windows ring: a file mapping backed by the paging file (<c>CreateFileMappingW</c>), named
/// <c>Local\chatfork-ring-PID-RANDOM</c>: in this session's namespace, with 128 random bits no other process can
/// guess. The name travels in the <see cref="FrameType.RingAttach"/> frame; the worker opens it with
/// <c>FILE_MAP_READ</c> only (<c>OpenFileMappingW</c>, <c>MapViewOfFile</c>). Unlike Linux's read-only memfd, a
/// worker of the same user that knows the name could open it writable: the mapping's default DACL allows its owner.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class NamedMappingRingShare : IRingShare
{
    private const string Prefix = @"Local\chatfork-ring-";

    public string Name => "named file mapping";

    public RingMapping Create(long capacity)
    {
        var name = $"{Prefix}{Environment.ProcessId}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(16))}";
        try
        {
            var file = MemoryMappedFile.CreateNew(name, RingLayout.MappingSize(capacity), MemoryMappedFileAccess.ReadWrite);
            return new RingMapping(file, capacity, writable: true, mappingName: name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ChatForkException($"Could not make the room's shared ring (CreateFileMappingW {name}): {e.Message}");
        }
    }

    public void Send(PipeStream pipe, RingMapping ring)
    {
        var frame = new FrameBuffer(128);
        new RingAttachMessage(ring.Capacity, ring.MappingName).WriteTo(frame);
        pipe.Write(frame.WrittenSpan);
    }

    public RingMapping Open(RingAttachMessage message, ReceivedDescriptor received)
    {
        if (!RingLayout.IsValidCapacity(message.Capacity) || !message.MappingName.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new ProtocolException($"The RingAttach frame names '{message.MappingName}' of {message.Capacity} bytes, which is not a ChatFork ring.");
        }

        try
        {
            var file = MemoryMappedFile.OpenExisting(message.MappingName, MemoryMappedFileRights.Read);
            return new RingMapping(file, message.Capacity, writable: false, mappingName: message.MappingName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FileNotFoundException)
        {
            throw new ProtocolException($"The room's ring {message.MappingName} could not be opened read-only: {e.Message}");
        }
    }
}

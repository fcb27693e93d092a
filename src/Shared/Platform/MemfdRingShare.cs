using System.IO.MemoryMappedFiles;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Fanout;
using ChatFork.Interop.Unix;
using ChatFork.Protocol;
using Microsoft.Win32.SafeHandles;

namespace ChatFork.Platform;

/// <summary>
/// Linux: <c>memfd_create</c>, sized with <c>ftruncate</c>, sealed against shrinking and growing, mapped
/// <c>MAP_SHARED</c> read-write by the supervisor. For the ring, workers get a descriptor that was opened
/// <em>read-only</em> (through <c>/proc/self/fd/N</c>, a new open file description of the same memfd): with it a
/// worker can map the ring only with <c>PROT_READ</c>, and cannot write to it, resize it or map it writable, whatever
/// code it runs. A worker's cursor page is its own, one memfd per worker, and it gets it read-write.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class MemfdRingShare : IRingShare
{
    private const int SendTimeoutMilliseconds = 5000;

    public string Name => "memfd (SCM_RIGHTS)";

    public RingMapping Create(RingPart part, long capacity)
    {
        var what = part == RingPart.Ring ? "the room's shared ring" : "a worker's cursor page";
        var fd = Libc.MemfdCreate(part == RingPart.Ring ? "chatfork-ring" : "chatfork-cursor", Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new ChatForkException($"Could not make {what} (memfd_create): {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        SafeFileHandle? shared = null;
        try
        {
            var size = RingAttachMessage.SizeOf(part, capacity);
            RandomAccess.SetLength(handle, size);
            if (Libc.Fcntl(fd, Libc.F_ADD_SEALS, Libc.F_SEAL_SHRINK | Libc.F_SEAL_GROW | Libc.F_SEAL_SEAL) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new ChatForkException($"Could not seal {what} (F_ADD_SEALS): {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
            }

            shared = File.OpenHandle($"/proc/self/fd/{fd}", FileMode.Open, part == RingPart.Ring ? FileAccess.Read : FileAccess.ReadWrite, FileShare.ReadWrite);
            var file = MemoryMappedFile.CreateFromFile(handle, null, size, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            return new RingMapping(file, size, writable: true, mappingName: "") { SharedDescriptor = shared };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            handle.Dispose();
            shared?.Dispose();
            throw new ChatForkException($"Could not make {what}: {e.Message}");
        }
    }

    public void Send(PipeStream pipe, RingPart part, RingMapping mapping, long capacity)
    {
        var frame = new FrameBuffer(64);
        new RingAttachMessage(part, capacity, "").WriteTo(frame);
        ScmRights.Send(pipe.SafePipeHandle, mapping.SharedDescriptor!, frame.WrittenSpan, SendTimeoutMilliseconds);
    }

    public RingMapping Open(RingAttachMessage message, ReceivedDescriptor received)
    {
        if (!received.HasValue)
        {
            throw new ProtocolException("A RingAttach frame arrived without its descriptor.");
        }

        var handle = new SafeFileHandle(received.Take(), ownsHandle: true);
        if (!message.IsValid || message.MappingName.Length != 0)
        {
            handle.Dispose();
            throw new ProtocolException($"A RingAttach frame gives a {message.Part} of {message.Capacity} bytes, which is not valid.");
        }

        var ring = message.Part == RingPart.Ring;
        try
        {
            // Capacity 0: the memfd's own size, which the supervisor sealed.
            var file = MemoryMappedFile.CreateFromFile(handle, null, 0, ring ? MemoryMappedFileAccess.Read : MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            return new RingMapping(file, message.Size, writable: !ring, mappingName: "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            handle.Dispose();
            throw new ProtocolException($"The room's {(ring ? "ring" : "cursor page")} could not be mapped: {e.Message}");
        }
    }
}

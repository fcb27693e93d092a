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
/// The Linux ring: <c>memfd_create</c>, sized with <c>ftruncate</c>, sealed against shrinking and growing, mapped
/// <c>MAP_SHARED</c> read-write by the supervisor. Workers get a descriptor of it that was opened <em>read-only</em>
/// (through <c>/proc/self/fd/N</c>, a new open file description of the same memfd): with it a worker can map the ring
/// only with <c>PROT_READ</c>, and cannot write to it, resize it or map it writable, whatever code it runs.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class MemfdRingShare : IRingShare
{
    private const int SendTimeoutMilliseconds = 5000;

    public string Name => "memfd (SCM_RIGHTS)";

    public RingMapping Create(long capacity)
    {
        var fd = Libc.MemfdCreate("chatfork-ring", Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new ChatForkException($"Could not make the room's shared ring (memfd_create): {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        SafeFileHandle? readOnly = null;
        try
        {
            var size = RingLayout.MappingSize(capacity);
            RandomAccess.SetLength(handle, size);
            if (Libc.Fcntl(fd, Libc.F_ADD_SEALS, Libc.F_SEAL_SHRINK | Libc.F_SEAL_GROW | Libc.F_SEAL_SEAL) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new ChatForkException($"Could not seal the room's shared ring (F_ADD_SEALS): {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
            }

            readOnly = File.OpenHandle($"/proc/self/fd/{fd}", FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var file = MemoryMappedFile.CreateFromFile(handle, null, size, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            return new RingMapping(file, capacity, writable: true, mappingName: "") { ReadOnlyDescriptor = readOnly };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            handle.Dispose();
            readOnly?.Dispose();
            throw new ChatForkException($"Could not make the room's shared ring: {e.Message}");
        }
    }

    public void Send(PipeStream pipe, RingMapping ring)
    {
        var frame = new FrameBuffer(64);
        new RingAttachMessage(ring.Capacity, "").WriteTo(frame);
        ScmRights.Send(pipe.SafePipeHandle, ring.ReadOnlyDescriptor!, frame.WrittenSpan, SendTimeoutMilliseconds);
    }

    public RingMapping Open(RingAttachMessage message, ReceivedDescriptor received)
    {
        if (!received.HasValue)
        {
            throw new ProtocolException("The RingAttach frame arrived without the ring's descriptor.");
        }

        if (!RingLayout.IsValidCapacity(message.Capacity) || message.MappingName.Length != 0)
        {
            throw new ProtocolException($"The RingAttach frame names a ring of {message.Capacity} bytes, which is not a valid ring.");
        }

        var handle = new SafeFileHandle(received.Take(), ownsHandle: true);
        try
        {
            // Capacity 0: the memfd's own size, which the supervisor sealed.
            var file = MemoryMappedFile.CreateFromFile(handle, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            return new RingMapping(file, message.Capacity, writable: false, mappingName: "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            handle.Dispose();
            throw new ProtocolException($"The room's ring could not be mapped read-only: {e.Message}");
        }
    }
}

using System.IO.MemoryMappedFiles;
using ChatFork.Fanout;
using ChatFork.Protocol;

namespace ChatFork.Platform;

/// <summary>
/// Shared memory of <c>--fanout shm</c> mapped into this process: the room's ring (read-write in the supervisor,
/// read-only in a worker) or a worker's cursor page (read-write in both). Through the BCL's
/// <see cref="MemoryMappedFile"/>, which is exactly <c>mmap(MAP_SHARED)</c> with <c>PROT_READ</c> or
/// <c>PROT_READ|PROT_WRITE</c> on Linux, and <c>CreateFileMappingW</c> / <c>OpenFileMappingW</c> with
/// <c>MapViewOfFile(FILE_MAP_READ or FILE_MAP_WRITE)</c> on Windows: no interop of our own for those.
/// </summary>
internal sealed unsafe class RingMapping : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _pointer;

    public RingMapping(MemoryMappedFile file, long size, bool writable, string mappingName)
    {
        _file = file;
        try
        {
            _view = file.CreateViewAccessor(0, 0, writable ? MemoryMappedFileAccess.ReadWrite : MemoryMappedFileAccess.Read);
            if (_view.Capacity < size)
            {
                throw new ProtocolException($"The shared memory maps {_view.Capacity} bytes, fewer than the {size} it must hold.");
            }

            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _pointer);
        }
        catch
        {
            _view?.Dispose();
            file.Dispose();
            throw;
        }

        Size = size;
        MappingName = mappingName;
    }

    public long Size { get; }

    /// <summary>Windows: the file mapping's name; Linux: empty (the memfd travels instead).</summary>
    public string MappingName { get; }

    /// <summary>Linux, supervisor: the descriptor a worker gets (read-only for the ring). Null elsewhere.</summary>
    public Microsoft.Win32.SafeHandles.SafeFileHandle? SharedDescriptor { get; init; }

    /// <summary>The mapping as a ring of <paramref name="capacity"/> bytes.</summary>
    public RingMemory AsRing(long capacity) => Size >= RingLayout.MappingSize(capacity)
        ? new RingMemory(Base, capacity)
        : throw new ProtocolException($"The shared ring maps {Size} bytes, fewer than a ring of {capacity} bytes needs.");

    /// <summary>The mapping as a worker's cursor page.</summary>
    public RingCursorPage AsCursorPage() => new(Base);

    private byte* Base => _pointer != null ? _pointer + _view.PointerOffset : throw new ObjectDisposedException(nameof(RingMapping));

    public void Dispose()
    {
        if (_pointer != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _pointer = null;
        }

        _view.Dispose();
        _file.Dispose();
        SharedDescriptor?.Dispose();
    }
}

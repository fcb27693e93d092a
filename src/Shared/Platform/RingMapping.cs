using System.IO.MemoryMappedFiles;
using ChatFork.Fanout;
using ChatFork.Protocol;

namespace ChatFork.Platform;

/// <summary>
/// A room's ring mapped into this process: read-write in the supervisor, read-only in a worker. Through the BCL's
/// <see cref="MemoryMappedFile"/>, which is exactly <c>mmap(MAP_SHARED)</c> with <c>PROT_READ</c> or
/// <c>PROT_READ|PROT_WRITE</c> on Linux, and <c>CreateFileMappingW</c> / <c>OpenFileMappingW</c> with
/// <c>MapViewOfFile(FILE_MAP_READ)</c> on Windows: no interop of our own for those.
/// </summary>
internal sealed unsafe class RingMapping : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _pointer;

    public RingMapping(MemoryMappedFile file, long capacity, bool writable, string mappingName)
    {
        _file = file;
        try
        {
            _view = file.CreateViewAccessor(0, 0, writable ? MemoryMappedFileAccess.ReadWrite : MemoryMappedFileAccess.Read);
            if (_view.Capacity < RingLayout.MappingSize(capacity))
            {
                throw new ProtocolException($"The shared ring maps {_view.Capacity} bytes, fewer than a ring of {capacity} bytes needs.");
            }

            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _pointer);
            Memory = new RingMemory(_pointer + _view.PointerOffset, capacity);
        }
        catch
        {
            _view?.Dispose();
            file.Dispose();
            throw;
        }

        MappingName = mappingName;
    }

    public RingMemory Memory { get; }

    public long Capacity => Memory.Capacity;

    /// <summary>Windows: the file mapping's name; Linux: empty (the memfd travels instead).</summary>
    public string MappingName { get; }

    /// <summary>Linux, supervisor: a read-only descriptor of the ring's memfd, the one workers get. Null elsewhere.</summary>
    public Microsoft.Win32.SafeHandles.SafeFileHandle? ReadOnlyDescriptor { get; init; }

    public void Dispose()
    {
        if (_pointer != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _pointer = null;
        }

        _view.Dispose();
        _file.Dispose();
        ReadOnlyDescriptor?.Dispose();
    }
}

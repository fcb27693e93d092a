using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Windows;

namespace ChatFork.Platform;

/// <summary>
/// Windows: the pipe is the named pipe <c>\\.\pipe\NAME</c>, opened with <c>CreateFileW</c> and
/// <c>FILE_FLAG_OVERLAPPED</c>, as a C worker would: exactly one overlapped <c>ReadFile</c> in flight into a buffer of
/// this pipe's own, and at most one overlapped <c>WriteFile</c>, each with its own manual-reset event, which
/// <see cref="LoopWait"/> hands to <c>WaitForMultipleObjects</c>. Not a <c>NamedPipeClientStream</c>: its overlapped
/// handle is bound to the thread pool's completion port, and every completion would wake a pool thread.
/// </summary>
/// <remarks>
/// <para>Poll's readiness, from completions: the pipe is readable when the read in flight has completed and its bytes
/// wait in the buffer (<see cref="Receive"/> hands them out, and starts the next read once they are gone), "gone" when
/// it completed with a broken pipe; writable when no write is in flight. A <see cref="Send"/> copies what it takes
/// into the write buffer and starts the write: the caller may reuse its bytes at once, and <see cref="Unsent"/> counts
/// them until the write completes.</para>
/// <para>The read in flight takes up to <see cref="BufferSize"/> bytes from the pipe even while the loop does not want
/// to read (its client's queue is full): one buffer more between the room and the client, as a socket's kernel buffer
/// is on Linux; no second read starts until the loop has taken those.</para>
/// </remarks>
internal sealed unsafe partial class LoopPipe
{
    /// <summary>The size of the read buffer and of the write buffer.</summary>
    private const int BufferSize = 64 * 1024;

    private readonly nint _pipe;
    private readonly NativeOverlapped* _readOverlapped;
    private readonly NativeOverlapped* _writeOverlapped;
    private readonly byte* _readBuffer;
    private readonly byte* _writeBuffer;
    private bool _readPending;
    private int _readStart;
    private int _readEnd;
    // Set when the read completed with the end of the pipe (0: the supervisor closed it) or an error (else).
    private bool _readEnded;
    private int _readError;
    private bool _writePending;
    private int _writeOffset;
    private int _writeLength;
    private bool _writeFailed;
    private bool _disposed;

    [SupportedOSPlatform("windows")]
    private LoopPipe(nint pipe)
    {
        _pipe = pipe;
        _readOverlapped = NewOverlapped();
        _writeOverlapped = NewOverlapped();
        _readBuffer = (byte*)NativeMemory.Alloc(BufferSize);
        _writeBuffer = (byte*)NativeMemory.Alloc(BufferSize);
    }

    /// <summary>Windows: the read's event, while a read is in flight (else 0): signalled when it completes.</summary>
    [SupportedOSPlatform("windows")]
    internal nint ReadEvent => _readPending ? _readOverlapped->EventHandle : 0;

    /// <summary>Windows: the write's event, while a write is in flight (else 0).</summary>
    [SupportedOSPlatform("windows")]
    internal nint WriteEvent => _writePending ? _writeOverlapped->EventHandle : 0;

    private int UnsentWindows => _writePending ? _writeLength - _writeOffset : 0;

    [SupportedOSPlatform("windows")]
    private static LoopPipe ConnectWindows(string name, int supervisorProcessId)
    {
        var path = @"\\.\pipe\" + name;
        var deadline = Environment.TickCount64 + 10_000;
        nint handle;
        while (true)
        {
            // Identification only: the supervisor may ask who we are, not act as us.
            handle = Kernel32.CreateFileW(path, Kernel32.GENERIC_READ | Kernel32.GENERIC_WRITE, 0, 0, Kernel32.OPEN_EXISTING,
                Kernel32.FILE_FLAG_OVERLAPPED | Kernel32.SECURITY_SQOS_PRESENT | Kernel32.SECURITY_IDENTIFICATION, 0);
            if (handle != Kernel32.INVALID_HANDLE_VALUE)
            {
                break;
            }

            var error = Marshal.GetLastPInvokeError();
            var left = deadline - Environment.TickCount64;
            if (error != Kernel32.ERROR_PIPE_BUSY || left <= 0)
            {
                throw new ChatForkException($"{Marshal.GetPInvokeErrorMessage(error)} (error {error})");
            }

            // Another client holds the one instance for now; the supervisor's pipe takes one client, so this is a
            // process racing us for it, and the check below will tell.
            Kernel32.WaitNamedPipeW(path, (uint)left);
        }

        var pipe = new LoopPipe(handle);
        try
        {
            // What CurrentUserOnly is for: the pipe is the supervisor's. Its pid is known (--supervisor), which says
            // more than its user: no other process of ours can have made this instance.
            if (!Kernel32.GetNamedPipeServerProcessId(handle, out var server))
            {
                var error = Marshal.GetLastPInvokeError();
                throw new ChatForkException($"could not learn which process made the pipe: {Marshal.GetPInvokeErrorMessage(error)} (error {error})");
            }

            if (server != (uint)supervisorProcessId)
            {
                throw new ChatForkException($"the process at the other end is pid {server}, not the supervisor (pid {supervisorProcessId})");
            }

            pipe.StartRead();
            return pipe;
        }
        catch
        {
            pipe.Dispose();
            throw;
        }
    }

    /// <summary>Windows: what the wait may report now, from what has completed (it looks, it never waits).</summary>
    [SupportedOSPlatform("windows")]
    internal short ReadyWindows(short events)
    {
        Collect();
        short ready = 0;
        if (_readEnded)
        {
            ready |= LoopWait.Gone;
            ready |= (short)(events & LoopWait.In);
        }
        else if ((events & LoopWait.In) != 0 && _readStart < _readEnd)
        {
            ready |= LoopWait.In;
        }

        if ((events & LoopWait.Out) != 0 && !_writePending)
        {
            ready |= LoopWait.Out;
        }

        return ready;
    }

    /// <summary>Windows: takes the results of whatever completed in flight (without waiting for what has not).</summary>
    [SupportedOSPlatform("windows")]
    internal void Collect()
    {
        if (_readPending && _readOverlapped->InternalLow != Kernel32.STATUS_PENDING)
        {
            _readPending = false;
            if (Kernel32.GetOverlappedResult(_pipe, _readOverlapped, out var count, wait: false))
            {
                OnRead((int)count);
            }
            else
            {
                OnReadFailed(Marshal.GetLastPInvokeError());
            }
        }

        if (_writePending && _writeOverlapped->InternalLow != Kernel32.STATUS_PENDING)
        {
            _writePending = false;
            if (Kernel32.GetOverlappedResult(_pipe, _writeOverlapped, out var count, wait: false))
            {
                _writeOffset += (int)count;
                if (_writeOffset < _writeLength)
                {
                    StartWrite(); // a pipe write completes whole, but if it did not, the rest goes now
                }
            }
            else
            {
                _writeFailed = true;
            }
        }
    }

    [SupportedOSPlatform("windows")]
    private int ReceiveWindows(Span<byte> buffer)
    {
        Collect();
        if (_readStart < _readEnd)
        {
            var count = Math.Min(buffer.Length, _readEnd - _readStart);
            new ReadOnlySpan<byte>(_readBuffer + _readStart, count).CopyTo(buffer);
            _readStart += count;
            if (_readStart == _readEnd)
            {
                StartRead();
            }

            return count;
        }

        if (_readEnded)
        {
            if (_readError != 0)
            {
                throw new ChatForkException($"reading the supervisor's pipe failed: {Marshal.GetPInvokeErrorMessage(_readError)} (error {_readError})");
            }

            return 0;
        }

        return -1; // the read is still in flight
    }

    [SupportedOSPlatform("windows")]
    private int SendWindows(ReadOnlySpan<byte> bytes)
    {
        Collect();
        if (_writeFailed)
        {
            return -2;
        }

        if (_writePending)
        {
            return -1;
        }

        var count = Math.Min(bytes.Length, BufferSize);
        bytes[..count].CopyTo(new Span<byte>(_writeBuffer, count));
        _writeOffset = 0;
        _writeLength = count;
        StartWrite();
        return _writeFailed ? -2 : count;
    }

    // Starts the next read, unless one is in flight, bytes wait in the buffer, or the pipe has ended. A read that
    // completes at once is taken at once; its event is set all the same, and the next ReadFile resets it.
    [SupportedOSPlatform("windows")]
    private void StartRead()
    {
        while (!_readPending && _readStart == _readEnd && !_readEnded)
        {
            if (Kernel32.ReadFile(_pipe, _readBuffer, BufferSize, null, _readOverlapped))
            {
                if (!Kernel32.GetOverlappedResult(_pipe, _readOverlapped, out var count, wait: false))
                {
                    OnReadFailed(Marshal.GetLastPInvokeError());
                    return;
                }

                OnRead((int)count); // 0 bytes (a zero-length write at the other end): read again
                continue;
            }

            var error = Marshal.GetLastPInvokeError();
            if (error == Kernel32.ERROR_IO_PENDING)
            {
                _readPending = true;
                return;
            }

            OnReadFailed(error);
        }
    }

    private void OnRead(int count)
    {
        _readStart = 0;
        _readEnd = count;
    }

    // The end of the pipe is how the supervisor's exit (or its closing of this pipe) shows: a broken pipe.
    private void OnReadFailed(int error)
    {
        _readEnded = true;
        _readError = error is Kernel32.ERROR_BROKEN_PIPE or Kernel32.ERROR_PIPE_NOT_CONNECTED or Kernel32.ERROR_HANDLE_EOF ? 0 : error;
    }

    [SupportedOSPlatform("windows")]
    private void StartWrite()
    {
        while (_writeOffset < _writeLength)
        {
            if (Kernel32.WriteFile(_pipe, _writeBuffer + _writeOffset, (uint)(_writeLength - _writeOffset), null, _writeOverlapped))
            {
                if (!Kernel32.GetOverlappedResult(_pipe, _writeOverlapped, out var count, wait: false))
                {
                    _writeFailed = true;
                    return;
                }

                _writeOffset += (int)count;
                continue;
            }

            if (Marshal.GetLastPInvokeError() == Kernel32.ERROR_IO_PENDING)
            {
                _writePending = true;
                return;
            }

            _writeFailed = true;
            return;
        }
    }

    [SupportedOSPlatform("windows")]
    private static NativeOverlapped* NewOverlapped()
    {
        var overlapped = (NativeOverlapped*)NativeMemory.AllocZeroed((nuint)sizeof(NativeOverlapped));
        overlapped->EventHandle = Kernel32.CreateEventW(0, manualReset: 1, initialState: 0, 0);
        if (overlapped->EventHandle == 0)
        {
            var error = Marshal.GetLastPInvokeError();
            NativeMemory.Free(overlapped);
            throw new ChatForkException($"CreateEventW failed: {Marshal.GetPInvokeErrorMessage(error)} (error {error})");
        }

        return overlapped;
    }

    // The I/O in flight is cancelled and waited for before its buffers and OVERLAPPEDs are freed: the kernel writes
    // into them until it has completed.
    [SupportedOSPlatform("windows")]
    private void DisposeWindows()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Kernel32.CancelIoEx(_pipe, null);
        if (_readPending)
        {
            Kernel32.GetOverlappedResult(_pipe, _readOverlapped, out _, wait: true);
        }

        if (_writePending)
        {
            Kernel32.GetOverlappedResult(_pipe, _writeOverlapped, out _, wait: true);
        }

        _readPending = false;
        _writePending = false;
        Kernel32.CloseHandle(_pipe);
        Kernel32.CloseHandle(_readOverlapped->EventHandle);
        Kernel32.CloseHandle(_writeOverlapped->EventHandle);
        NativeMemory.Free(_readOverlapped);
        NativeMemory.Free(_writeOverlapped);
        NativeMemory.Free(_readBuffer);
        NativeMemory.Free(_writeBuffer);
    }
}

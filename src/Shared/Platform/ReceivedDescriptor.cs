using ChatFork.Interop.Unix;

namespace ChatFork.Platform;

/// <summary>
/// A descriptor that arrived with <c>SCM_RIGHTS</c> and is not yet owned by a socket: closed on dispose unless
/// <see cref="Take"/> moved it out, so that an error between <c>recvmsg</c> and the socket's constructor leaks nothing.
/// </summary>
internal sealed class ReceivedDescriptor : IDisposable
{
    private int _fd = -1;

    /// <summary>The descriptor, or -1; <see cref="ScmRights.Receive"/> sets it.</summary>
    public ref int Fd => ref _fd;

    public bool HasValue => _fd >= 0;

    /// <summary>Moves the descriptor out: the caller owns it from now on.</summary>
    public int Take()
    {
        var fd = _fd;
        _fd = -1;
        return fd;
    }

    public void Dispose()
    {
        if (_fd >= 0 && !OperatingSystem.IsWindows())
        {
            Libc.Close(_fd);
        }

        _fd = -1;
    }
}

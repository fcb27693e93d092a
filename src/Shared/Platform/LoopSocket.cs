
namespace ChatFork.Platform;

/// <summary>
/// The client's TCP socket in the loop worker, as the OS's own handle: <c>recv</c> and <c>send</c> that never block,
/// <c>shutdown</c>, <c>close</c>. A raw descriptor with <c>MSG_DONTWAIT</c> on Linux (<c>LoopSocket.Unix.cs</c>); on
/// Windows a <c>SOCKET</c> made non-blocking by <c>WSAEventSelect</c>, whose event <see cref="LoopWait"/> waits on
/// (<c>LoopSocket.Windows.cs</c>). Not a <see cref="System.Net.Sockets.Socket"/>: on Linux .NET starts its socket
/// engine's thread (epoll) for the first Socket a process makes, and this worker has no thread to spare.
/// </summary>
internal sealed unsafe partial class LoopSocket
{
    /// <summary>What <see cref="Receive"/> and <see cref="Send"/> return when the socket is not ready.</summary>
    public const int WouldBlock = -1;

    /// <summary>What they return when the connection failed; <see cref="LastError"/> says why.</summary>
    public const int Failed = -2;

    private bool _closed;

    /// <summary>The error of the last failed call, as a sentence.</summary>
    public string LastError { get; private set; } = "";

    public int Receive(Span<byte> buffer) =>
        OperatingSystem.IsWindows() ? ReceiveWindows(buffer) : ReceiveUnix(buffer);

    public int Send(ReadOnlySpan<byte> bytes) =>
        OperatingSystem.IsWindows() ? SendWindows(bytes) : SendUnix(bytes);

    /// <summary>Shuts the socket down for sending (<paramref name="both"/>: both ways); errors are ignored: the client may be gone.</summary>
    public void Shutdown(bool both)
    {
        if (OperatingSystem.IsWindows())
        {
            ShutdownWindows(both);
        }
        else
        {
            ShutdownUnix(both);
        }
    }

    public void Close()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        if (OperatingSystem.IsWindows())
        {
            CloseWindows();
        }
        else
        {
            CloseUnix();
        }
    }

    /// <summary>The client's address, as IRC's <c>ERROR :Closing Link</c> names it, or null.</summary>
    public string? PeerAddress() =>
        OperatingSystem.IsWindows() ? PeerAddressWindows() : PeerAddressUnix();
}

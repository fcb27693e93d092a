using System.Net;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ChatFork.Interop.Windows;
using ChatFork.Protocol;
using ChatFork.Sessions;

namespace ChatFork.Platform;

/// <summary>
/// Windows: the socket the supervisor duplicated for this process (<c>WSADuplicateSocketW</c>, through
/// <c>Socket.DuplicateAndClose</c>), opened from the hand-off frame's <c>WSAPROTOCOL_INFOW</c> with
/// <c>WSASocketW</c>, and tied to one event with <c>WSAEventSelect(FD_READ | FD_WRITE | FD_CLOSE)</c>, which also makes
/// it non-blocking: <c>recv</c> and <c>send</c> return <c>WSAEWOULDBLOCK</c> instead of waiting.
/// </summary>
/// <remarks>
/// Poll's level-triggered readiness, from Winsock's recorded events, which are edge-like: <c>FD_READ</c> is recorded
/// again only after a <c>recv</c>, <c>FD_WRITE</c> only after a <c>send</c> failed with <c>WSAEWOULDBLOCK</c>. So the
/// socket keeps "readable" from an <c>FD_READ</c> (or <c>FD_CLOSE</c>) until a <c>recv</c> would block, and "writable"
/// (true at first: a connected socket is) until a <c>send</c> would block; each of those calls re-enables its event,
/// so nothing is missed. An <c>FD_CLOSE</c> with an error is a reset (poll's <c>POLLERR</c>/<c>POLLHUP</c>); without
/// one it is the client's FIN, and the socket stays readable (recv returns 0).
/// </remarks>
internal sealed unsafe partial class LoopSocket
{
    private static bool s_winsockStarted;

    private readonly nint _socket;
    private readonly nint _event;
    private bool _readable;
    private bool _writable = true;
    private bool _reset;

    [SupportedOSPlatform("windows")]
    private LoopSocket(nint socket, nint eventHandle)
    {
        _socket = socket;
        _event = eventHandle;
    }

    /// <summary>Windows: the event <c>WSAEventSelect</c> signals.</summary>
    internal nint EventHandle => _event;

    /// <summary>Windows: the socket from the hand-off frame's duplicated <c>WSAPROTOCOL_INFOW</c>.</summary>
    /// <exception cref="ProtocolException">The frame carries none.</exception>
    /// <exception cref="ChatForkException">Winsock could not open it.</exception>
    [SupportedOSPlatform("windows")]
    internal static LoopSocket FromDuplicate(HandoffMessage message)
    {
        if (message.DuplicatedSocket is not { Length: >= Ws2_32.WSAPROTOCOL_INFOW_SIZE } information)
        {
            throw new ProtocolException("The hand-off frame carries no duplicated socket information.");
        }

        StartWinsock();
        nint socket;
        fixed (byte* info = information)
        {
            socket = Ws2_32.WSASocketW(Ws2_32.FROM_PROTOCOL_INFO, Ws2_32.FROM_PROTOCOL_INFO, Ws2_32.FROM_PROTOCOL_INFO, info, 0,
                Ws2_32.WSA_FLAG_OVERLAPPED | Ws2_32.WSA_FLAG_NO_HANDLE_INHERIT);
        }

        if (socket == Ws2_32.INVALID_SOCKET)
        {
            throw Fail("WSASocketW could not open the socket handed over", Marshal.GetLastPInvokeError());
        }

        var one = 1;
        Ws2_32.SetSockOpt(socket, Ws2_32.IPPROTO_TCP, Ws2_32.TCP_NODELAY, &one, sizeof(int));
        // A fixed kernel send buffer, as ClientConnection explains.
        var size = ClientConnection.KernelSendBuffer;
        Ws2_32.SetSockOpt(socket, Ws2_32.SOL_SOCKET, Ws2_32.SO_SNDBUF, &size, sizeof(int));

        var eventHandle = Kernel32.CreateEventW(0, manualReset: 1, initialState: 0, 0);
        if (eventHandle == 0)
        {
            var error = Marshal.GetLastPInvokeError();
            Ws2_32.CloseSocket(socket);
            throw Fail("CreateEventW failed", error);
        }

        if (Ws2_32.WSAEventSelect(socket, eventHandle, Ws2_32.FD_READ | Ws2_32.FD_WRITE | Ws2_32.FD_CLOSE) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            Ws2_32.CloseSocket(socket);
            Kernel32.CloseHandle(eventHandle);
            throw Fail("WSAEventSelect failed", error);
        }

        return new LoopSocket(socket, eventHandle);
    }

    /// <summary>Windows: takes the network events recorded since the last call (and resets the event).</summary>
    [SupportedOSPlatform("windows")]
    internal void CollectWindows()
    {
        if (_closed)
        {
            return;
        }

        Ws2_32.WSANETWORKEVENTS events;
        if (Ws2_32.WSAEnumNetworkEvents(_socket, _event, &events) != 0)
        {
            return; // nothing to learn; the next recv or send says what is wrong
        }

        var happened = events.lNetworkEvents;
        _readable |= (happened & (Ws2_32.FD_READ | Ws2_32.FD_CLOSE)) != 0;
        _writable |= (happened & Ws2_32.FD_WRITE) != 0;
        if ((happened & Ws2_32.FD_CLOSE) != 0 && events.iErrorCode[Ws2_32.FD_CLOSE_BIT] != 0)
        {
            _reset = true;
        }
    }

    /// <summary>Windows: what the wait may report for the socket now (as <c>poll</c>'s revents).</summary>
    internal short ReadyWindows(short events)
    {
        short ready = 0;
        if ((events & LoopWait.In) != 0 && _readable)
        {
            ready |= LoopWait.In;
        }

        if ((events & LoopWait.Out) != 0 && _writable)
        {
            ready |= LoopWait.Out;
        }

        if (_reset)
        {
            ready |= LoopWait.Gone;
        }

        return ready;
    }

    [SupportedOSPlatform("windows")]
    private int ReceiveWindows(Span<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            var received = Ws2_32.Recv(_socket, pointer, buffer.Length, 0);
            if (received >= 0)
            {
                return received;
            }

            return FailedCall(ref _readable);
        }
    }

    [SupportedOSPlatform("windows")]
    private int SendWindows(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* pointer = bytes)
        {
            var sent = Ws2_32.Send(_socket, pointer, bytes.Length, 0);
            if (sent >= 0)
            {
                return sent;
            }

            return FailedCall(ref _writable);
        }
    }

    // WSAEWOULDBLOCK: not ready (and Winsock records the event again when it is); anything else: the connection failed.
    private int FailedCall(ref bool ready)
    {
        var error = Marshal.GetLastPInvokeError();
        if (error == Ws2_32.WSAEWOULDBLOCK)
        {
            ready = false;
            return WouldBlock;
        }

        LastError = Marshal.GetPInvokeErrorMessage(error);
        return Failed;
    }

    [SupportedOSPlatform("windows")]
    private void ShutdownWindows(bool both) => Ws2_32.Shutdown(_socket, both ? Ws2_32.SD_BOTH : Ws2_32.SD_SEND);

    [SupportedOSPlatform("windows")]
    private void CloseWindows()
    {
        Ws2_32.CloseSocket(_socket);
        Kernel32.CloseHandle(_event);
    }

    [SupportedOSPlatform("windows")]
    private string? PeerAddressWindows()
    {
        var address = stackalloc byte[128];
        var length = 128;
        if (Ws2_32.GetPeerName(_socket, address, &length) != 0)
        {
            return null;
        }

        var family = *(ushort*)address;
        return family switch
        {
            Ws2_32.AF_INET => new IPAddress(new ReadOnlySpan<byte>(address + 4, 4)).ToString(),
            Ws2_32.AF_INET6 => new IPAddress(new ReadOnlySpan<byte>(address + 8, 16)).ToString(),
            _ => null,
        };
    }

    // Once per process, before the first Winsock call (the BCL's Socket does the same on first use).
    [SupportedOSPlatform("windows")]
    private static void StartWinsock()
    {
        if (s_winsockStarted)
        {
            return;
        }

        var data = stackalloc byte[512];
        var error = Ws2_32.WSAStartup(Ws2_32.WINSOCK_VERSION, data);
        if (error != 0)
        {
            throw Fail("WSAStartup failed", error);
        }

        s_winsockStarted = true;
    }

    private static ChatForkException Fail(string what, int error) =>
        new($"{what}: {Marshal.GetPInvokeErrorMessage(error)} (error {error}).");
}

using ChatFork.Protocol;

namespace ChatFork.Platform;

/// <summary>
/// The loop worker's end of its pipe to the supervisor: reads and writes that never block, and the readiness that
/// <see cref="LoopWait"/> waits for. On Linux a Unix domain socket read with <c>recvmsg</c> (descriptors ride on the
/// bytes: <c>LoopPipe.Unix.cs</c>); on Windows the named pipe opened for overlapped I/O, with one <c>ReadFile</c> and
/// at most one <c>WriteFile</c> in flight, each with its own event (<c>LoopPipe.Windows.cs</c>).
/// </summary>
internal sealed partial class LoopPipe : IDisposable
{
    /// <summary>
    /// Connects to the supervisor's pipe and checks who is at the other end: a process of this user (Linux,
    /// <c>SO_PEERCRED</c>, what <c>PipeOptions.CurrentUserOnly</c> checks), the supervisor itself (Windows, its pid).
    /// </summary>
    /// <exception cref="ChatForkException">With a sentence: no such pipe, refused, or someone else's.</exception>
    public static LoopPipe Connect(string name, int supervisorProcessId) =>
        OperatingSystem.IsWindows() ? ConnectWindows(name, supervisorProcessId) : ConnectUnix(name);

    /// <summary>
    /// After a failed <see cref="Connect"/>: whether trying again may help. On Linux while the socket's path exists
    /// (a refused connect is tried again for a moment, as <c>NamedPipeClientStream.Connect</c> would); on Windows never,
    /// since <see cref="Connect"/> waited for a busy pipe already.
    /// </summary>
    public static bool MayConnectLater(string name) => !OperatingSystem.IsWindows() && File.Exists(name);

    /// <summary>Bytes read, 0 at end of stream (the supervisor is gone), -1 if nothing is there now.</summary>
    /// <exception cref="ChatForkException">The read failed (a reset), or a descriptor came that breaks the protocol.</exception>
    public int Receive(Span<byte> buffer, ReceivedDescriptor received) =>
        OperatingSystem.IsWindows() ? ReceiveWindows(buffer) : ReceiveUnix(buffer, received);

    /// <summary>
    /// Bytes the pipe took (all of them may still be in flight on Windows: see <see cref="Unsent"/>), -1 if it takes
    /// nothing now, -2 if it is broken (the supervisor is gone).
    /// </summary>
    public int Send(ReadOnlySpan<byte> bytes) =>
        OperatingSystem.IsWindows() ? SendWindows(bytes) : SendUnix(bytes);

    /// <summary>
    /// Bytes <see cref="Send"/> took that are not in the pipe yet: on Windows those of the write in flight, which the
    /// worker must wait for before it exits (closing the handle would cancel it); always 0 on Linux, where a send
    /// copies into the kernel's buffer before it returns.
    /// </summary>
    public int Unsent => OperatingSystem.IsWindows() ? UnsentWindows : 0;

    /// <summary>The client's socket from the hand-off frame: the descriptor that came with it, or the duplicated socket it carries.</summary>
    /// <exception cref="ProtocolException">The frame came without the socket.</exception>
    public static LoopSocket Rebuild(HandoffMessage message, ReceivedDescriptor received) =>
        OperatingSystem.IsWindows() ? LoopSocket.FromDuplicate(message) : RebuildUnix(received);

    public void Dispose()
    {
        if (OperatingSystem.IsWindows())
        {
            DisposeWindows();
        }
        else
        {
            DisposeUnix();
        }
    }
}

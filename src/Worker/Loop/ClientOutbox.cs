using System.Runtime.Versioning;
using System.Text;
using ChatFork.Platform;
using ChatFork.Sessions;

namespace ChatFork.Worker.Loop;

/// <summary>
/// The bytes waiting for the client, and their sending, for the loop worker: one thread, so no lock and no writer
/// thread. <see cref="Commit"/> sends at once, as far as the client's window allows; the rest waits for the loop's
/// <c>poll</c> to say the socket is writable (<see cref="Send"/>). The lab's <see cref="ClientConnection"/> does the
/// same with threads.
/// </summary>
/// <remarks>
/// The line handlers' own answers (<see cref="AppendLine(ReadOnlySpan{byte})"/>, <see cref="Append"/>) are refused past
/// the limit: the client is not reading. Lines from the room come through <see cref="EnqueueLine"/>, the one place
/// they are queued, whatever the queue holds: the loop bounds those itself, by not reading its pipe while
/// <see cref="IsOverLimit"/> (the supervisor's queue toward this worker grows instead, and the room slows the senders).
/// </remarks>
[SupportedOSPlatform("linux")]
[SupportedOSPlatform("windows")]
internal sealed class ClientOutbox : IClientOutput
{
    private static ReadOnlySpan<byte> LineEnd => "\r\n"u8;

    private readonly LoopSocket _socket;
    private readonly int _limit;
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;

    public ClientOutbox(LoopSocket socket, int limit)
    {
        _socket = socket;
        _limit = limit;
        LastProgress = Environment.TickCount64;
    }

    public int Queued => _end - _start;

    public bool IsOverLimit => Queued > _limit;

    /// <summary>A send failed (reset, broken pipe): nothing more can reach the client.</summary>
    public bool Failed { get; private set; }

    public long BytesSent { get; private set; }

    /// <summary>When the client last took bytes (or the session began), on <see cref="Environment.TickCount64"/>.</summary>
    public long LastProgress { get; private set; }

    public bool AppendLine(ReadOnlySpan<byte> utf8Line) => TryAppend(utf8Line, LineEnd, _limit);

    public bool AppendLine(string line) => AppendLine(Encoding.UTF8.GetBytes(line));

    public bool Append(ReadOnlySpan<byte> bytes) => TryAppend(bytes, default, _limit);

    /// <summary>Queues a line for the client whatever the queue holds: the room's lines, and the last line.</summary>
    public void EnqueueLine(ReadOnlySpan<byte> utf8Line) => TryAppend(utf8Line, LineEnd, int.MaxValue);

    public void Commit() => Send();

    /// <summary>Sends what is queued until it is all gone or the client's window is full.</summary>
    public void Send()
    {
        while (_start < _end && !Failed)
        {
            var sent = _socket.Send(_buffer.AsSpan(_start, _end - _start));
            if (sent == LoopSocket.WouldBlock)
            {
                return;
            }

            if (sent == LoopSocket.Failed)
            {
                Failed = true;
                break;
            }

            _start += sent;
            BytesSent += sent;
            LastProgress = Environment.TickCount64;
        }

        if (_start == _end || Failed)
        {
            _start = 0;
            _end = 0;
        }
    }

    /// <summary>
    /// Gives up on a client that does not read: tries once, without waiting, to tell it why, then shuts the socket
    /// down and closes it.
    /// </summary>
    public void Abort(string? notice)
    {
        if (notice is not null && !Failed)
        {
            // Something was queued: the client may be in the middle of a line; start the notice on a line of its own.
            var text = (Queued > 0 ? "\r\n" : "") + notice + "\r\n";
            _socket.Send(Encoding.UTF8.GetBytes(text));
        }

        _socket.Shutdown(both: true);

        _start = 0;
        _end = 0;
        _socket.Close();
    }

    private bool TryAppend(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> suffix, int limit)
    {
        if (Failed)
        {
            return true; // the connection broke: the loop sees it and ends the session; this is not "slow"
        }

        var needed = bytes.Length + suffix.Length;
        if ((long)Queued + needed > limit)
        {
            return false;
        }

        if (_buffer.Length - _end < needed)
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            if (_buffer.Length - _end < needed)
            {
                Array.Resize(ref _buffer, Math.Max(_end + needed, _buffer.Length * 2));
            }
        }

        bytes.CopyTo(_buffer.AsSpan(_end));
        suffix.CopyTo(_buffer.AsSpan(_end + bytes.Length));
        _end += needed;
        return true;
    }
}

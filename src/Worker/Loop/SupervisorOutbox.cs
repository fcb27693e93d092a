using System.Runtime.Versioning;
using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Sessions;

namespace ChatFork.Worker.Loop;

/// <summary>
/// Frames toward the supervisor, for the loop worker: appended to one buffer and written when the pipe takes them,
/// never with a blocking write. The supervisor stops reading a sender's pipe while the room's receivers are congested
/// (flow control); a worker that blocked in a write there would stop reading its own pipe too, and the two would
/// wait for each other. Instead the loop stops reading its client while <see cref="IsOverHighWater"/>, and TCP slows
/// the client down.
/// </summary>
[SupportedOSPlatform("linux")]
[SupportedOSPlatform("windows")]
internal sealed class SupervisorOutbox : IChatLink, IWorkerLogSink
{
    /// <summary>Past this many unwritten bytes, the loop stops reading its client.</summary>
    public const int HighWater = 64 * 1024;

    private readonly LoopPipe _pipe;
    private readonly FrameBuffer _buffer = new(8192);
    private int _written;

    public SupervisorOutbox(LoopPipe pipe)
    {
        _pipe = pipe;
    }

    /// <summary>False once a write failed: the supervisor is gone; what is appended after is dropped.</summary>
    public bool IsAlive { get; private set; } = true;

    /// <summary>Bytes not in the pipe yet: appended and unwritten, and (Windows) those of the write in flight.</summary>
    public int Pending => _buffer.Length - _written + _pipe.Unsent;

    public bool IsOverHighWater => Pending > HighWater;

    public void Say(ReadOnlySpan<byte> utf8) => _buffer.WriteFrame(FrameType.Say, utf8);

    public void Act(ReadOnlySpan<byte> utf8) => _buffer.WriteFrame(FrameType.Act, utf8);

    public void Nick(string nick) => _buffer.WriteTextFrame(FrameType.Nick, nick);

    public void Whisper(string target, ReadOnlySpan<byte> utf8) => WhisperMessage.Write(_buffer, target, utf8);

    public void Who() => AppendEmpty(FrameType.Who);

    public void Ps() => AppendEmpty(FrameType.Ps);

    public void AppendEmpty(FrameType type) => _buffer.WriteFrame(type, default);

    /// <summary>Appends a frame that <paramref name="write"/> writes (the hello, the IRC frames).</summary>
    public void Append(Action<FrameBuffer> write) => write(_buffer);

    public void SendLog(WorkerLogLevel level, string text)
    {
        new LogMessage(level, text).WriteTo(_buffer);
        Flush();
    }

    public void SendLeaving(LeavingMessage leaving)
    {
        leaving.WriteTo(_buffer);
        Flush();
    }

    /// <summary>Writes what the pipe takes now, without waiting. False if the supervisor is gone.</summary>
    public bool Flush()
    {
        while (IsAlive && _written < _buffer.Length)
        {
            var sent = _pipe.Send(_buffer.WrittenSpan[_written..]);
            if (sent == -1)
            {
                break; // full: the loop waits for POLLOUT
            }

            if (sent < 0)
            {
                IsAlive = false;
                break;
            }

            _written += sent;
        }

        if (_written == _buffer.Length || !IsAlive)
        {
            _buffer.Clear();
            _written = 0;
        }

        return IsAlive;
    }
}

using System.IO.Pipes;
using ChatFork.Protocol;
using ChatFork.Sessions;

namespace ChatFork.Worker;

/// <summary>
/// The worker's end of its pipe to the supervisor, for writing. Frames are gathered in a buffer and written together
/// by <see cref="Flush"/>, so a burst of lines from the client costs one pipe write. Several threads write (the
/// client reader, the log, the exit path), so every call takes the lock; a write blocks only while the supervisor
/// is behind, which is the back-pressure that slows a flooding client down to what the room can take.
/// </summary>
internal sealed class SupervisorLink : IChatLink
{
    private readonly PipeStream _pipe;
    private readonly FrameBuffer _buffer = new(8192);
    private readonly Lock _lock = new();
    private bool _broken;

    public SupervisorLink(PipeStream pipe)
    {
        _pipe = pipe;
    }

    /// <summary>False once a write failed: the supervisor is gone.</summary>
    public bool IsAlive
    {
        get
        {
            lock (_lock)
            {
                return !_broken;
            }
        }
    }

    public void SendHello(HelloMessage hello)
    {
        lock (_lock)
        {
            hello.WriteTo(_buffer);
            FlushLocked();
        }
    }

    // A chat line's bytes go into the frame as they are: cleaned UTF-8 already, never a string on the way.
    public void Say(ReadOnlySpan<byte> utf8) => AppendFrame(FrameType.Say, utf8);

    public void Act(ReadOnlySpan<byte> utf8) => AppendFrame(FrameType.Act, utf8);

    public void Nick(string nick) => AppendText(FrameType.Nick, nick);

    public void Whisper(string target, ReadOnlySpan<byte> utf8)
    {
        lock (_lock)
        {
            WhisperMessage.Write(_buffer, target, utf8);
        }
    }

    public void Who() => AppendEmpty(FrameType.Who);

    public void Ps() => AppendEmpty(FrameType.Ps);

    public void AppendText(FrameType type, string text)
    {
        lock (_lock)
        {
            _buffer.WriteTextFrame(type, text);
        }
    }

    /// <summary>Appends a frame that <paramref name="write"/> writes (the IRC frames, <see cref="Irc.IrcLink"/>).</summary>
    public void Append(Action<FrameBuffer> write)
    {
        lock (_lock)
        {
            write(_buffer);
        }
    }

    public void AppendEmpty(FrameType type) => AppendFrame(type, default);

    private void AppendFrame(FrameType type, ReadOnlySpan<byte> payload)
    {
        lock (_lock)
        {
            _buffer.WriteFrame(type, payload);
        }
    }

    public void SendLog(WorkerLogLevel level, string text)
    {
        lock (_lock)
        {
            new LogMessage(level, text).WriteTo(_buffer);
            FlushLocked();
        }
    }

    public void SendLeaving(LeavingMessage leaving)
    {
        lock (_lock)
        {
            leaving.WriteTo(_buffer);
            FlushLocked();
        }
    }

    /// <summary>Writes what was appended. Returns false if the supervisor is gone.</summary>
    public bool Flush()
    {
        lock (_lock)
        {
            return FlushLocked();
        }
    }

    private bool FlushLocked()
    {
        if (_buffer.Length == 0 || _broken)
        {
            _buffer.Clear();
            return !_broken;
        }

        try
        {
            _pipe.Write(_buffer.WrittenSpan);
            return true;
        }
        catch (IOException)
        {
            _broken = true;
            return false;
        }
        catch (ObjectDisposedException)
        {
            _broken = true;
            return false;
        }
        finally
        {
            _buffer.Clear();
        }
    }
}

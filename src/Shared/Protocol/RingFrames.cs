namespace ChatFork.Protocol;

/// <summary>
/// The two small frames of <c>--fanout shm</c> that the room sends one member on its pipe:
/// <list type="bullet">
/// <item><see cref="FrameType.RingJoin"/> <c>[i64 member id][i64 position]</c>: the member joined the room when the
///   ring's head was at <c>position</c>; it reads from there and skips the records that leave its id out;</item>
/// <item><see cref="FrameType.RingLine"/> <c>[i64 sequence][i64 position][line]</c>: a line for this member alone
///   (a whisper, /who, an error), to be written to its client after everything in the ring below
///   <c>position</c>, so that it keeps its place in the room's order.</item>
/// </list>
/// </summary>
internal static class RingFrames
{
    public static void WriteJoin(FrameBuffer buffer, long memberId, long position)
    {
        buffer.BeginFrame(FrameType.RingJoin);
        buffer.WriteInt64(memberId);
        buffer.WriteInt64(position);
        buffer.EndFrame();
    }

    public static void WriteLine(FrameBuffer buffer, long sequence, long position, ReadOnlySpan<byte> utf8Line)
    {
        buffer.BeginFrame(FrameType.RingLine);
        buffer.WriteInt64(sequence);
        buffer.WriteInt64(position);
        buffer.WriteBytes(utf8Line);
        buffer.EndFrame();
    }
}

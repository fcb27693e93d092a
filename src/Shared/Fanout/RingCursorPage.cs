namespace ChatFork.Fanout;

/// <summary>
/// One worker's cursor page (<see cref="RingLayout"/>): its position in the ring, written by the worker with release
/// semantics after it has taken the lines below it, and its sleeping flag, set by the worker (with a full fence)
/// before it waits on its pipe and taken back by whoever rings the doorbell. Owns nothing.
/// </summary>
internal readonly unsafe struct RingCursorPage
{
    private readonly byte* _base;

    public RingCursorPage(byte* page)
    {
        _base = page;
    }

    public ref long Position => ref *(long*)(_base + RingLayout.CursorPositionOffset);

    public ref int Sleeping => ref *(int*)(_base + RingLayout.CursorSleepingOffset);
}

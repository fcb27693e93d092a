namespace ChatFork.Protocol;

/// <summary>Which frame types exist and which way each may travel.</summary>
internal static class FrameTypes
{
    public static bool IsFromWorker(FrameType type) => type is >= FrameType.Hello and <= FrameType.Recycled;

    public static bool IsFromSupervisor(FrameType type) => type is >= FrameType.Handoff and <= FrameType.RingLine;
}

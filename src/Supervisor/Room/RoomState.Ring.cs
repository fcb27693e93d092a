namespace ChatFork.Supervisor.Room;

internal sealed partial class RoomState
{
    /// <summary>Set with <c>--fanout shm</c> (process model, chat mode, no cluster): broadcasts go into the shared ring.</summary>
    public IRoomRing? Ring { get; set; }
}

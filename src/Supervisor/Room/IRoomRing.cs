namespace ChatFork.Supervisor.Room;

/// <summary>
/// The room's ring in shared memory (<c>--fanout shm</c>), as the room sees it: a broadcast is written once, for
/// everyone (but one member, maybe), instead of once per member. Lines for one member still go to that member
/// (<see cref="IRoomMember.Deliver"/>), which tags them with the ring's position so that its worker keeps them in
/// the room's order. The room's loop alone calls these.
/// </summary>
internal interface IRoomRing
{
    /// <summary>A member joined: it reads the ring from the head as it is now.</summary>
    void Join(IRoomMember member);

    /// <summary>A member left: it no longer holds the ring back.</summary>
    void Leave(IRoomMember member);

    /// <summary>One line for every member but <paramref name="excludedMemberId"/> (or for all: <c>RingLayout.NobodyExcluded</c>).</summary>
    void Write(long sequence, long excludedMemberId, ReadOnlySpan<byte> line);

    /// <summary>After each batch: the members' levels for flow control, and a doorbell for each member that sleeps.</summary>
    void Publish();
}

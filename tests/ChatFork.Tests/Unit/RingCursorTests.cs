using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Supervisor.Fanout;
using ChatFork.Supervisor.ProcessModel;
using ChatFork.Tests.Support;
using ChatFork.Tests.Unit.Fakes;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>A worker's cursor in the room's ring (<see cref="RingCursor"/>) on real memfd mappings.</summary>
[TestFixture]
[LinuxOnly("the ring and the cursor page are memfd mappings here")]
public sealed class RingCursorTests
{
    // The room's loop handles a member's join after its hand-off; its worker may have died in between, and its page
    // be unmapped with its pipe. The join then writes nowhere (it wrote into the unmapped page, and the supervisor
    // died of an AccessViolationException: the bench's greeting scenario, connect and close in a loop, found it).
    [Test]
    public void A_join_that_comes_after_the_workers_page_was_unmapped_writes_nothing_and_the_cursor_stays_closed()
    {
        using var slots = new Slots();
        var share = CurrentPlatform.RingShare;
        const long capacity = 256 * 1024;
        using var ringMapping = share.Create(RingPart.Ring, capacity);
        var ring = new RoomRing(ringMapping, capacity, share, new RoomFlow());
        var page = share.Create(RingPart.CursorPage, Fanout.RingLayout.CursorPageSize);
        var cursor = new RingCursor(ring, slots.NewSlot().Outbox, page);
        cursor.Join(0);

        cursor.Close(); // the worker's pipe closed: the page is unmapped
        cursor.Join(ring.Head);

        Assert.That(cursor.Closed, Is.True);
        Assert.That(cursor.Backlog, Is.Zero);
        Assert.That(cursor.TakeSleeper(ring.Head + 8), Is.False, "a closed cursor is never rung");
    }
}

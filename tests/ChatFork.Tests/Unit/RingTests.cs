using System.IO.MemoryMappedFiles;
using System.Text;
using ChatFork.Fanout;
using ChatFork.Platform;
using ChatFork.Protocol;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>
/// The room's ring (--fanout shm) on real memfd mappings, as the supervisor makes it and a worker maps it: the
/// writer's side read-write, the reader's through the read-only descriptor workers get.
/// </summary>
[LinuxOnly("the ring is a memfd, mapped the way the supervisor and its workers map it")]
public sealed class RingTests
{
    private const long Capacity = 64 * 1024;

    [Test]
    public void Records_that_wrap_round_the_end_of_the_ring_read_back_whole_and_in_order()
    {
        using var ring = Ring.Make();
        var reader = ring.Reader(memberId: 2);
        var read = new List<string>();
        long sequence = 0;
        // Lines of changing lengths, read as they come, for several laps: every record boundary meets the end of
        // the data area somewhere, the header's 24 bytes included.
        for (var i = 0; i < 3000; i++)
        {
            var text = $"line {i} " + new string((char)('a' + (i % 26)), i * 7 % 300);
            ring.Writer.Write(++sequence, RingLayout.NobodyExcluded, Encoding.UTF8.GetBytes(text));
            while (reader.TryRead(out _, out var line) == RingReadResult.Record)
            {
                read.Add(Encoding.UTF8.GetString(line));
            }

            Assert.That(read[^1], Is.EqualTo(text));
        }

        Assert.That(ring.Writer.Head, Is.GreaterThan(3 * Capacity), "the test went round the ring several times");
        Assert.That(read, Has.Count.EqualTo(3000));
        Assert.That(reader.Position, Is.EqualTo(ring.Writer.Head));
        Assert.That(reader.CaughtUp, Is.True);
    }

    [Test]
    public void Positions_count_bytes_and_a_reader_skips_the_lines_that_leave_its_member_out()
    {
        using var ring = Ring.Make();
        var alice = ring.Reader(memberId: 1);
        var position = ring.Writer.Write(1, excluded: 1, "<alice> hi"u8);
        Assert.That(position, Is.Zero);
        var next = ring.Writer.Write(2, RingLayout.NobodyExcluded, "* bob is now known as bert"u8);
        Assert.That(next, Is.EqualTo(RingLayout.RecordSize("<alice> hi".Length)), "a position is the bytes written before it");
        Assert.That(next % 8, Is.Zero, "records are padded to 8 bytes");

        Assert.That(alice.TryRead(out var sequence, out var line), Is.EqualTo(RingReadResult.Record));
        Assert.That((sequence, Encoding.UTF8.GetString(line)), Is.EqualTo((2L, "* bob is now known as bert")), "alice does not read her own line");
        Assert.That(alice.TryRead(out _, out _), Is.EqualTo(RingReadResult.Empty));

        // A member who joins later starts at the head as it was then, and reads nothing from before.
        var late = ring.Reader(memberId: 3, at: ring.Writer.Head);
        ring.Writer.Write(3, excluded: 1, "<alice> welcome"u8);
        Assert.That(late.TryRead(out sequence, out line), Is.EqualTo(RingReadResult.Record));
        Assert.That((sequence, Encoding.UTF8.GetString(line)), Is.EqualTo((3L, "<alice> welcome")));
    }

    [Test]
    public void A_reader_a_whole_ring_behind_is_told_so_and_given_no_line_that_was_written_over()
    {
        using var ring = Ring.Make();
        var reader = ring.Reader(memberId: 9);
        long sequence = 0;
        var line = new byte[1000];
        while (ring.Writer.Head <= Capacity + 2000)
        {
            ring.Writer.Write(++sequence, RingLayout.NobodyExcluded, line);
        }

        var e = Assert.Throws<ProtocolException>(() => reader.TryRead(out _, out _));
        Assert.That(e!.Message, Does.Contain("a whole ring behind"));
    }

    [Test]
    public unsafe void A_record_the_writer_passes_over_while_it_is_being_read_is_caught_as_torn()
    {
        using var ring = Ring.Make();
        var reader = ring.Reader(memberId: 9);
        ring.Writer.Write(1, RingLayout.NobodyExcluded, Encoding.ASCII.GetBytes(new string('a', 100)));
        // What a writer that broke the rule would leave while the reader copies record 1: it has said it writes up to
        // a full ring past that record (the header's "writing" field, stored before any byte), and the head has not
        // moved yet.
        ring.Memory.Writing = Capacity + 64;
        var e = Assert.Throws<ProtocolException>(() => reader.TryRead(out _, out _));
        Assert.That(e!.Message, Does.Contain("torn"));
    }

    [Test]
    public void A_record_whose_sequence_does_not_grow_is_refused()
    {
        using var ring = Ring.Make();
        var reader = ring.Reader(memberId: 9);
        ring.Writer.Write(5, RingLayout.NobodyExcluded, "five"u8);
        ring.Writer.Write(4, RingLayout.NobodyExcluded, "four"u8);
        Assert.That(reader.TryRead(out _, out _), Is.EqualTo(RingReadResult.Record));
        var e = Assert.Throws<ProtocolException>(() => reader.TryRead(out _, out _));
        Assert.That(e!.Message, Does.Contain("order is broken"));
    }

    [Test]
    public void The_descriptor_a_worker_gets_maps_the_ring_read_only_and_cannot_write_it()
    {
        using var ring = Ring.Make();
        using var handle = ring.ReadOnlyCopy();
        Assert.Catch(() =>
        {
            using var file = MemoryMappedFile.CreateFromFile(handle, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
            using var view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.ReadWrite); // mmap(PROT_WRITE, MAP_SHARED): EACCES
        }, "a writable shared mapping of the worker's descriptor");
        Assert.Catch(() => RandomAccess.Write(handle, "x"u8, 0), "a write() through it");
        Assert.Catch(() => RandomAccess.SetLength(handle, 1), "an ftruncate() through it");
    }

    [Test]
    public void A_line_for_one_member_waits_until_its_worker_has_read_the_ring_up_to_its_tag()
    {
        using var ring = Ring.Make();
        var (feed, _) = ring.Feed();
        using var f = feed;
        var got = new List<string>();
        RingLineSink sink = (sequence, line) => got.Add($"{sequence} {Encoding.UTF8.GetString(line)}");
        feed.OnJoin(Frame(b => RingFrames.WriteJoin(b, 7, ring.Writer.Head)));
        ring.Writer.Write(1, RingLayout.NobodyExcluded, "* a joined"u8);
        ring.Writer.Write(2, 7, "<me> my own"u8);
        var tag = ring.Writer.Head;
        ring.Writer.Write(4, RingLayout.NobodyExcluded, "<b> after"u8);

        feed.OnLine(Frame(b => RingFrames.WriteLine(b, 3, tag, "* 2 here:"u8)), sink);
        Assert.That(got, Is.EqualTo(new[] { "1 * a joined", "3 * 2 here:" }), "what the room said before the line comes first, and no more");
        feed.Drain(sink, 1 << 20);
        Assert.That(got[^1], Is.EqualTo("4 <b> after"));
    }

    [Test]
    public void A_worker_publishes_its_position_in_its_cursor_page_and_sleeps_only_when_nothing_came_meanwhile()
    {
        using var ring = Ring.Make();
        var (feed, page) = ring.Feed();
        using var _ = feed;
        RingLineSink sink = (_, _) => { };
        feed.OnJoin(Frame(b => RingFrames.WriteJoin(b, 7, 0)));
        Assert.That(feed.TrySleep(), Is.True, "caught up: it may wait on its pipe");
        Assert.That(page.Sleeping, Is.EqualTo(1), "and says so where the supervisor looks");

        // The supervisor takes the flag as it rings; the worker reads what came and publishes how far it got.
        ring.Writer.Write(1, RingLayout.NobodyExcluded, new byte[1000]);
        Assert.That(Interlocked.Exchange(ref page.Sleeping, 0), Is.EqualTo(1));
        Assert.That(feed.Drain(sink, int.MaxValue), Is.EqualTo(1));
        Assert.That(page.Position, Is.Zero, "not before it publishes");
        feed.Publish();
        Assert.That(page.Position, Is.EqualTo(ring.Writer.Head));

        // A line that lands between its last read and its flag: it must not sleep on it.
        Assert.That(feed.TrySleep(), Is.True);
        page.Sleeping = 0;
        ring.Writer.Write(2, RingLayout.NobodyExcluded, new byte[10]);
        Assert.That(feed.CaughtUp, Is.False);
        Assert.That(feed.TrySleep(), Is.False, "a line came: read on");
        Assert.That(page.Sleeping, Is.Zero);
    }

    private static Frame Frame(Action<FrameBuffer> write)
    {
        var buffer = new FrameBuffer(64);
        write(buffer);
        var decoder = new FrameDecoder(4096, FrameTypes.IsFromSupervisor);
        buffer.WrittenSpan.CopyTo(decoder.GetReadBuffer().Span);
        decoder.Advance(buffer.Length);
        Assert.That(decoder.TryReadFrame(out var frame), Is.True);
        return frame;
    }

    /// <summary>A ring as the supervisor makes it, and readers that map it as workers do.</summary>
    private sealed class Ring : IDisposable
    {
        private readonly RingMapping _mapping;
        private readonly List<IDisposable> _readers = [];

        private Ring(RingMapping mapping)
        {
            _mapping = mapping;
            Writer = new RingWriter(mapping.AsRing(Capacity));
        }

        public RingWriter Writer { get; }

        public RingMemory Memory => Writer.Memory;

        public static Ring Make() => new(CurrentPlatform.RingShare.Create(RingPart.Ring, Capacity));

        public Microsoft.Win32.SafeHandles.SafeFileHandle ReadOnlyCopy() => Reopen(_mapping, FileAccess.Read);

        public RingReader Reader(long memberId, long at = 0)
        {
            var reader = new RingReader(Map(_mapping, RingPart.Ring, Capacity).AsRing(Capacity));
            reader.Join(at, memberId);
            return reader;
        }

        /// <summary>A worker's feed, and its cursor page as the supervisor sees it.</summary>
        public (RingFeed Feed, RingCursorPage Page) Feed()
        {
            var page = CurrentPlatform.RingShare.Create(RingPart.CursorPage, RingLayout.CursorPageSize);
            _readers.Add(page);
            var feed = new RingFeed(Map(_mapping, RingPart.Ring, Capacity), Capacity, Map(page, RingPart.CursorPage, RingLayout.CursorPageSize, FileAccess.ReadWrite));
            return (feed, page.AsCursorPage());
        }

        private static Microsoft.Win32.SafeHandles.SafeFileHandle Reopen(RingMapping mapping, FileAccess access) =>
            File.OpenHandle($"/proc/self/fd/{mapping.SharedDescriptor!.DangerousGetHandle()}", FileMode.Open, access, FileShare.ReadWrite);

        public void Dispose()
        {
            foreach (var reader in _readers)
            {
                reader.Dispose();
            }

            _mapping.Dispose();
        }

        // The worker's way: the frame, and a descriptor as SCM_RIGHTS would have delivered it.
        private RingMapping Map(RingMapping of, RingPart part, long capacity, FileAccess access = FileAccess.Read)
        {
            using var received = new ReceivedDescriptor();
            var handle = Reopen(of, access);
            received.Fd = (int)handle.DangerousGetHandle();
            handle.SetHandleAsInvalid();
            var mapping = CurrentPlatform.RingShare.Open(new RingAttachMessage(part, capacity, ""), received);
            _readers.Add(mapping);
            return mapping;
        }
    }
}

using System.Globalization;
using System.Text;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// <c>--fanout shm</c>: the room writes each broadcast once into a ring in shared memory that every worker maps
/// read-only. The flood and the slow consumer run with both fan-outs in <see cref="FlowControlTests"/>, and the
/// whole of <see cref="ChatTests"/> runs with it too; these are the parts only the ring has.
/// </summary>
public sealed class SharedMemoryFanoutTests
{
    [Test]
    [LinuxOnly("reads /proc/PID/maps")]
    public async Task A_worker_maps_the_rooms_ring_read_only_and_shared_and_the_supervisor_read_write()
    {
        await using var server = await ServerProcess.StartAsync("--fanout", "shm", "--ring-size", "262144");
        var (client, greeting) = await server.JoinAsync();
        await using var _ = client;
        var worker = ProcessModelTests.WorkerPidFrom(greeting[0]);

        var workerRing = RingMappings(worker);
        var supervisorRing = RingMappings(server.Pid);
        Assert.That(workerRing, Has.Count.EqualTo(1), $"the worker maps the ring once:\n{string.Join("\n", workerRing)}");
        Assert.That(workerRing[0].Split(' ')[1], Is.EqualTo("r--s"), "read-only and shared (MAP_SHARED, PROT_READ)");
        Assert.That(supervisorRing, Has.Count.EqualTo(1));
        Assert.That(supervisorRing[0].Split(' ')[1], Is.EqualTo("rw-s"), "the supervisor writes it");
        Assert.That(Span(workerRing[0]), Is.EqualTo(4096 + 262144), "one header page and --ring-size bytes");
        Assert.That(workerRing[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[4], Is.EqualTo(supervisorRing[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[4]),
            "the same memfd (inode) in both");

        // A descriptor of it is open in the worker, and it is read-only (O_RDONLY: flags end in 0 in octal).
        var descriptors = Directory.GetFiles($"/proc/{worker}/fd")
            .Where(fd => File.ResolveLinkTarget(fd, returnFinalTarget: false)?.FullName.Contains("memfd:chatfork-ring", StringComparison.Ordinal) == true)
            .ToList();
        foreach (var fd in descriptors)
        {
            var flags = File.ReadAllLines($"/proc/{worker}/fdinfo/{Path.GetFileName(fd)}").Single(l => l.StartsWith("flags:", StringComparison.Ordinal));
            Assert.That(Convert.ToInt32(flags.Split('\t', ' ').Last(), 8) & 3, Is.Zero, $"the worker's ring descriptor {fd} is open read-only ({flags})");
        }
    }

    // --worker-reuse with --fanout shm: a recycled worker keeps the ring and its cursor page (no second RingAttach);
    // each client it serves is a new member that joins at its own RingJoin, reads the broadcasts from there and is
    // left out of its own lines.
    [Test]
    public async Task A_recycled_worker_reads_the_ring_for_each_client_it_serves_in_turn()
    {
        await using var server = await ServerProcess.StartAsync("--fanout", "shm", "--worker-reuse", "3", "--prespawn", "1", "--line-rate", "0");
        var (watcher, _) = await server.JoinAsync("watcher");
        await using var w = watcher;
        for (var i = 0; i < 4; i++)
        {
            var (client, _) = await server.JoinAsync($"client{i}");
            await using (client)
            {
                await client.SendAsync($"hello {i}");
                await watcher.ReadUntilAsync(l => l.EndsWith($"> hello {i}", StringComparison.Ordinal), $"client {i}'s line through the ring");
                await watcher.SendAsync($"hi {i}");
                await client.ReadUntilAsync(l => l.EndsWith($"> hi {i}", StringComparison.Ordinal), $"the watcher's line to client {i} through the ring");
                await client.SendAsync("/quit");
                await client.DrainAsync(TimeSpan.FromSeconds(5));
            }

            await watcher.ReadUntilAsync(l => l.Contains(" left", StringComparison.Ordinal), $"client {i} leaving");
        }

        await server.WaitForLogAsync("recycle/worker-recycled: .*back in the pool");
        Assert.That(server.Log, Does.Not.Contain("ring protocol"));
        Assert.That(server.Log, Does.Not.Contain("protocol-violation"));
        Assert.That(server.Log, Does.Not.Contain("internal error"));
    }

    [Test]
    public async Task Lines_for_one_member_keep_their_place_while_a_flood_goes_through_the_ring()
    {
        await using var server = await ServerProcess.StartAsync("--fanout", "shm", "--line-rate", "0");
        var (flooder, _) = await server.JoinAsync("flooder");
        var (asker, _) = await server.JoinAsync("asker");
        var (whisperer, _) = await server.JoinAsync("whisperer");
        await using var f = flooder;
        await using var a = asker;
        await using var w = whisperer;
        await flooder.SendAsync("/nick flooder");
        await asker.SendAsync("/nick asker");
        await whisperer.SendAsync("/nick whisperer");
        await asker.ReadUntilAsync(l => l == "* guest-3 is now known as whisperer", "the nicks");
        await whisperer.ReadUntilAsync(l => l == "* guest-2 is now known as asker", "the nicks");

        const int lines = 2000;
        var flood = new StringBuilder();
        for (var i = 1; i <= lines; i++)
        {
            flood.Append(CultureInfo.InvariantCulture, $"flood {i} ").Append('x', 200).Append('\n');
        }

        // The asker asks while the flood is under way; the whisperer whispers once it has read line 1000, so the room
        // sequenced the whisper after that line.
        var sending = flooder.SendRawAsync(Encoding.ASCII.GetBytes(flood.ToString()));
        await asker.ReadUntilAsync(l => l.StartsWith("<flooder> flood 100 ", StringComparison.Ordinal), "line 100");
        await asker.SendAsync("/who");
        await whisperer.ReadUntilAsync(l => l.StartsWith("<flooder> flood 1000 ", StringComparison.Ordinal), "line 1000");
        await whisperer.SendAsync("/msg asker psst");
        await sending;
        var seen = await asker.ReadUntilAsync(l => l.StartsWith($"<flooder> flood {lines} ", StringComparison.Ordinal), "the last line", TimeSpan.FromSeconds(60));
        seen.AddRange(await asker.DrainAsync(TimeSpan.FromSeconds(1)));

        var numbers = seen.Where(l => l.StartsWith("<flooder> flood ", StringComparison.Ordinal))
            .Select(l => int.Parse(l.Split(' ')[2], CultureInfo.InvariantCulture)).ToList();
        Assert.That(numbers.SkipWhile(n => n < 101), Is.EqualTo(Enumerable.Range(101, lines - 100)), "every flood line after 100, in order, none twice");

        var who = seen.FindIndex(l => l == "* 3 here:");
        Assert.That(who, Is.GreaterThanOrEqualTo(0), "the /who reply came:\n" + string.Join("\n", seen.Take(50)));
        Assert.That(seen.Skip(who + 1).Take(3), Has.All.StartWith("*   "), "the /who reply is whole, its lines together");
        Assert.That(seen.Skip(who + 1).Take(3).Count(l => l.Contains("(you)", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(LineNumberBefore(seen, who), Is.GreaterThanOrEqualTo(100), "the reply comes after what the room said before the /who");

        var whisper = seen.FindIndex(l => l == "*whisperer* psst");
        Assert.That(whisper, Is.GreaterThanOrEqualTo(0), "the whisper came");
        Assert.That(LineNumberBefore(seen, whisper), Is.GreaterThanOrEqualTo(1000), "the whisper comes after line 1000, which the room said before it");
    }

    [Test]
    public void A_ring_size_that_is_not_a_power_of_two_is_refused_with_a_sentence()
    {
        var e = Assert.Throws<ChatForkException>(() => Supervisor.ServerSettings.From(new Supervisor.SupervisorOptions { Fanout = Supervisor.FanoutMode.Shm, RingSize = 300_000 }));
        Assert.That(e!.Message, Is.EqualTo("--ring-size must be a power of two between 262144 (256 KiB) and 1073741824 (1 GiB) bytes."));
    }

    private static int LineNumberBefore(List<string> seen, int index) =>
        seen.Take(index).Where(l => l.StartsWith("<flooder> flood ", StringComparison.Ordinal))
            .Select(l => int.Parse(l.Split(' ')[2], CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Last();

    private static List<string> RingMappings(int pid) =>
        File.ReadAllLines($"/proc/{pid}/maps").Where(l => l.Contains("/memfd:chatfork-ring", StringComparison.Ordinal)).ToList();

    private static long Span(string mapsLine)
    {
        var range = mapsLine.Split(' ')[0].Split('-');
        return long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) - long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}

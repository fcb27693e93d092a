using ChatFork.Supervisor;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>What <c>--fanout</c> is when it is left out, and what is refused when it is given.</summary>
[TestFixture]
public sealed class FanoutDefaultTests
{
    private static FanoutMode FanoutOf(SupervisorOptions options) => ServerSettings.From(options).Fanout;

    [Test]
    public void Left_out_it_is_shm_for_the_process_models_chat_room_on_linux_and_pipe_on_windows()
    {
        // Windows keeps pipe until its ring attach is bounded (src/Supervisor/Platform/RingByDefault.cs).
        Assert.That(FanoutOf(new SupervisorOptions()), Is.EqualTo(OperatingSystem.IsLinux() ? FanoutMode.Shm : FanoutMode.Pipe));
    }

    [TestCase(ServerModel.Thread)]
    [TestCase(ServerModel.Async)]
    public void Left_out_it_is_pipe_for_the_labs_models_which_have_no_workers_to_share_a_ring(ServerModel model)
    {
        Assert.That(FanoutOf(new SupervisorOptions { Model = model }), Is.EqualTo(FanoutMode.Pipe));
    }

    [Test]
    public void Left_out_it_is_pipe_where_no_room_uses_the_ring_so_nothing_says_shm_was_ignored()
    {
        Assert.That(FanoutOf(new SupervisorOptions { Mode = ServerMode.Echo }), Is.EqualTo(FanoutMode.Pipe), "echo mode");
        Assert.That(FanoutOf(new SupervisorOptions { Protocol = ClientProtocol.Irc }), Is.EqualTo(FanoutMode.Pipe), "IRC mode");
        Assert.That(FanoutOf(new SupervisorOptions { Cluster = "redis://127.0.0.1:6379" }), Is.EqualTo(FanoutMode.Pipe), "the cluster's room");
    }

    [Test]
    public void Given_it_is_kept_and_shm_without_worker_processes_is_refused_with_a_sentence()
    {
        Assert.That(FanoutOf(new SupervisorOptions { Fanout = FanoutMode.Pipe }), Is.EqualTo(FanoutMode.Pipe));
        var e = Assert.Throws<ChatForkException>(() => ServerSettings.From(new SupervisorOptions { Fanout = FanoutMode.Shm, Model = ServerModel.Thread }));
        Assert.That(e!.Message, Is.EqualTo("--fanout shm fans the room out to worker processes: it needs --model process."));
    }

    [Test]
    public void Left_out_the_ring_is_1_MiB_or_big_enough_for_two_of_the_longest_lines_max_line_allows()
    {
        Assert.That(ServerSettings.From(new SupervisorOptions()).RingSize, Is.EqualTo(1024 * 1024));
        // --max-line 1 MiB: a room line of up to 3 MiB (the sanitizer's U+FFFD) and its prefix; two of them fit 8 MiB.
        Assert.That(ServerSettings.From(new SupervisorOptions { MaxLine = 1024 * 1024 }).RingSize, Is.EqualTo(8 * 1024 * 1024));
        // Given, the floor is what the longest line needs: 256 KiB is plenty for 4 KiB lines.
        Assert.That(ServerSettings.From(new SupervisorOptions { RingSize = 256 * 1024 }).RingSize, Is.EqualTo(256 * 1024));
    }

    [Test]
    public void A_ring_given_too_small_for_max_line_is_refused_at_start_with_a_sentence_not_at_the_first_long_line()
    {
        var e = Assert.Throws<ChatForkException>(() => ServerSettings.From(new SupervisorOptions { MaxLine = 1024 * 1024, RingSize = 1024 * 1024 }));
        Assert.That(e!.Message, Is.EqualTo("--ring-size 1048576 cannot hold the longest room line --max-line 1048576 allows (a record may take half the ring): give at least 8388608, or leave --ring-size out."));
    }
}

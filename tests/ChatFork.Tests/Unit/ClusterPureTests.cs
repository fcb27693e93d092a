using ChatFork.Supervisor;
using ChatFork.Supervisor.Cluster;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>The cluster's pure parts: stream ids, member records, the --cluster options.</summary>
[TestFixture]
public sealed class ClusterPureTests
{
    [TestCase("1-0", "0-0", 1)]
    [TestCase("9-5", "10-0", -1)]
    [TestCase("1700000000000-2", "1700000000000-10", -1)]
    [TestCase("1700000000000-3", "1700000000000-3", 0)]
    public void Stream_ids_compare_by_time_then_sequence_not_as_text(string a, string b, int sign) =>
        Assert.That(Math.Sign(StreamIdComparer.Compare(a, b)), Is.EqualTo(sign));

    [Test]
    public void A_member_record_round_trips_and_anything_else_is_not_a_record()
    {
        var record = MemberRecord.Parse("host-a\t42.17\t7\talice\tworker 4242\t127.0.0.1:5000\t1700000000");
        Assert.That(record, Is.Not.Null);
        Assert.That((record!.Node, record.MemberId, record.Nick, record.ServedBy), Is.EqualTo(("host-a", 7L, "alice", "worker 4242")));
        Assert.That(MemberRecord.Parse("host-a\tx\t7"), Is.Null);
        Assert.That(MemberRecord.Parse("host-a\t1\tseven\talice\tw\tp\t1"), Is.Null);
        Assert.That(MemberRecord.Parse(null), Is.Null);
    }

    [TestCase("localhost:6379")]
    [TestCase("http://127.0.0.1:6379")]
    [TestCase("redis://127.0.0.1")]
    [TestCase("redis://user:secret@127.0.0.1:6379")]
    [TestCase("redis://127.0.0.1:6379/2")]
    public void A_malformed_cluster_address_is_refused_with_a_sentence_that_shows_the_form(string url)
    {
        var e = Assert.Throws<ChatForkException>(() => ClusterSettings.From(new SupervisorOptions { Cluster = url }));
        Assert.That(e!.Message, Does.Contain("redis://HOST:PORT"));
    }

    [Test]
    public void Cluster_options_are_checked_and_the_node_defaults_to_the_host_name()
    {
        var settings = ClusterSettings.From(new SupervisorOptions { Cluster = "redis://127.0.0.1:6390" })!;
        Assert.That((settings.RedisHost, settings.RedisPort, settings.Node), Is.EqualTo(("127.0.0.1", 6390, Environment.MachineName)));
        Assert.That(ClusterSettings.From(new SupervisorOptions()), Is.Null, "without --cluster nothing changes");
        Assert.Throws<ChatForkException>(() => ClusterSettings.From(new SupervisorOptions { Node = "a" }), "--node alone");
        Assert.Throws<ChatForkException>(() => ClusterSettings.From(new SupervisorOptions { Cluster = "redis://h:1", Node = "a b" }));
        Assert.Throws<ChatForkException>(() => ClusterSettings.From(new SupervisorOptions { Cluster = "redis://h:1", Model = ServerModel.Thread }));
        Assert.Throws<ChatForkException>(() => ClusterSettings.From(new SupervisorOptions { Cluster = "redis://h:1", ClusterStreamMax = 10 }));
    }
}

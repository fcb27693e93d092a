using ChatFork.Supervisor.ProcessModel;
using ChatFork.Tests.Unit.Fakes;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

[TestFixture]
public sealed class SpawnBackoffTests
{
    [Test]
    public void Failures_in_a_row_back_off_100_ms_doubling_up_to_5_s()
    {
        var backoff = new SpawnBackoff(new ManualTime());
        var delays = Enumerable.Range(0, 9).Select(_ => backoff.Failed().TotalMilliseconds).ToArray();

        Assert.That(delays, Is.EqualTo(new double[] { 100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000 }));
    }

    [Test]
    public void A_backoff_lasts_exactly_its_delay()
    {
        var time = new ManualTime();
        var backoff = new SpawnBackoff(time);
        Assert.That(backoff.IsActive, Is.False);

        backoff.Failed();
        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.That(backoff.IsActive, Is.True);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(backoff.IsActive, Is.False);
    }

    [Test]
    public void A_success_makes_the_next_failure_start_again_from_the_shortest_delay()
    {
        var backoff = new SpawnBackoff(new ManualTime());
        backoff.Failed();
        backoff.Failed();
        backoff.Succeeded();

        Assert.That(backoff.Failed(), Is.EqualTo(SpawnBackoff.First));
    }

    [Test]
    public void The_success_that_ends_a_run_of_failures_reports_how_many_and_how_long_once()
    {
        var time = new ManualTime();
        var reports = new List<(int Failures, TimeSpan Over)>();
        var backoff = new SpawnBackoff(time) { Recovered = (n, over) => reports.Add((n, over)) };
        backoff.Succeeded();
        backoff.Failed();
        time.Advance(TimeSpan.FromSeconds(2));
        backoff.Failed();
        time.Advance(TimeSpan.FromSeconds(1));
        backoff.Succeeded();
        backoff.Succeeded();

        Assert.That(reports, Is.EqualTo(new[] { (2, TimeSpan.FromSeconds(3)) }));
    }
}

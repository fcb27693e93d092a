using ChatFork.Sessions;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>The per-client line rate limit: a token bucket and the flood rule, on a fake clock.</summary>
[TestFixture]
public sealed class LineRateLimitTests
{
    private static TimeSpan Seconds(double s) => TimeSpan.FromSeconds(s);

    [Test]
    public void A_full_bucket_lets_a_burst_through_at_once_and_then_one_line_per_token()
    {
        var bucket = new TokenBucket(10, 60, Seconds(0));
        var taken = Enumerable.Range(0, 100).Count(_ => bucket.TryTake(Seconds(0)));
        Assert.That(taken, Is.EqualTo(60), "the burst allowance, no more");
        Assert.That(bucket.UntilNext(Seconds(0)), Is.EqualTo(Seconds(0.1)).Within(TimeSpan.FromTicks(10)));
        Assert.That(bucket.TryTake(Seconds(0.05)), Is.False);
        Assert.That(bucket.TryTake(Seconds(0.1)), Is.True);
        Assert.That(bucket.TryTake(Seconds(0.1)), Is.False);
    }

    [Test]
    public void A_bucket_refills_at_the_rate_and_never_holds_more_than_the_burst()
    {
        var bucket = new TokenBucket(10, 60, Seconds(0));
        for (var i = 0; i < 60; i++)
        {
            bucket.TryTake(Seconds(0));
        }

        Assert.That(bucket.Tokens(Seconds(2)), Is.EqualTo(20).Within(1e-9));
        Assert.That(bucket.Tokens(Seconds(1000)), Is.EqualTo(60));
    }

    [Test]
    public void Lines_sent_no_faster_than_the_rate_never_wait()
    {
        var pacer = new LinePacer(10, 5, Seconds(10), Seconds(0));
        for (var i = 0; i < 1000; i++)
        {
            Assert.That(pacer.Next(Seconds(i * 0.1), out _), Is.True, $"line {i}");
        }
    }

    [Test]
    public void A_line_over_the_limit_waits_until_the_next_token()
    {
        var pacer = new LinePacer(10, 2, Seconds(10), Seconds(0));
        Assert.That(pacer.Next(Seconds(0), out _), Is.True);
        Assert.That(pacer.Next(Seconds(0), out _), Is.True);
        Assert.That(pacer.Next(Seconds(0), out var wait), Is.False);
        Assert.That(wait, Is.EqualTo(Seconds(0.1)).Within(TimeSpan.FromTicks(10)));
        Assert.That(pacer.Next(Seconds(0.1), out _), Is.True);
    }

    [Test]
    public void A_client_held_back_without_a_break_for_the_flood_timeout_is_given_up_on()
    {
        var pacer = new LinePacer(10, 20, Seconds(3), Seconds(0));
        var now = Seconds(0);
        var passed = 0;
        while (true)
        {
            if (pacer.Next(now, out var wait))
            {
                passed++;
                continue; // a flooder has its next line ready at once
            }

            if (wait == Timeout.InfiniteTimeSpan)
            {
                break;
            }

            now += wait;
        }

        Assert.That(now, Is.EqualTo(Seconds(3)).Within(TimeSpan.FromMilliseconds(1)), "given up on after the flood timeout");
        Assert.That(passed, Is.InRange(20 + 29, 20 + 31), "the burst, then the rate for 3 s");
    }

    [Test]
    public void A_pause_that_finds_a_token_waiting_ends_the_throttled_stretch()
    {
        var pacer = new LinePacer(10, 1, Seconds(3), Seconds(0));
        var now = Seconds(0);
        Assert.That(pacer.Next(now, out _), Is.True);
        Assert.That(pacer.Next(now, out var wait), Is.False);
        now += wait;
        Assert.That(pacer.Next(now, out _), Is.True, "the held line goes");
        Assert.That(pacer.Throttled(now), Is.GreaterThan(TimeSpan.Zero), "still held back: that line had to wait");

        now += Seconds(1); // the client pauses; its next line finds a token
        Assert.That(pacer.Next(now, out _), Is.True);
        Assert.That(pacer.Throttled(now), Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void A_50_line_paste_within_the_default_burst_never_waits()
    {
        var pacer = new LinePacer(SessionLimits.DefaultLineRate, SessionLimits.DefaultLineBurst,
            Seconds(SessionLimits.DefaultFloodTimeoutSeconds), Seconds(0));
        Assert.That(Enumerable.Range(0, 50).All(i => pacer.Next(Seconds(0), out _)), Is.True);
    }
}

using ChatFork.Bench.Compare;
using ChatFork.Bench.Measure;
using ChatFork.Bench.Net;
using ChatFork.Bench.Scenarios;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>The bench's pure parts: perf stat's CSV, issue 13's target verdicts, variant detection, the scale sentence.</summary>
[TestFixture]
public sealed class BenchPureTests
{
    private const string HelpWithoutVariants = """
          --max-clients              (Default: 256) Most worker processes at once
          --prespawn                 (Default: 4) Idle workers kept started
          --worker                   Path of the worker executable.
        """;

    private const string HelpWithVariants = HelpWithoutVariants + """

          --worker-reuse             (Default: 0) Clients one worker serves in turn
          --fanout                   (Default: Shm) shm: a ring in shared memory; pipe: each line on each pipe.
        """;

    [Test]
    public void Perf_stat_csv_gives_the_count_of_the_event_and_skips_comments_and_control_messages()
    {
        const string text = "# started on Tue Dec  1 13:57:35 2026\n\nEvents enabled\n"
            + "123456789,,instructions,2000000,100.00,1.23,insn per cycle\nEvents disabled\n";
        var count = PerfStatCsv.Parse(text, "instructions");
        Assert.That((count.Value, count.Problem), Is.EqualTo(((double?)123456789, (string?)null)));
    }

    [Test]
    public void Perf_stat_csv_accepts_an_event_with_a_modifier()
    {
        var count = PerfStatCsv.Parse("42,,instructions:u,100,100.00,,\n", "instructions");
        Assert.That((count.Event, count.Value), Is.EqualTo(("instructions:u", (double?)42)));
    }

    [Test]
    public void Perf_stat_csv_not_supported_is_a_sentence_not_a_number()
    {
        var count = PerfStatCsv.Parse("# started\n\n<not supported>,,instructions,0,100.00,,\n", "instructions");
        Assert.That(count.Value, Is.Null);
        Assert.That(count.Problem, Does.Contain("not supported"));
    }

    [Test]
    public void Perf_stat_csv_without_the_event_says_so()
    {
        var count = PerfStatCsv.Parse("5.00,msec,task-clock,5000,100.00,0.1,CPUs utilized\n", "instructions");
        Assert.That(count.Value, Is.Null);
        Assert.That(count.Problem, Does.Contain("no line for instructions"));
    }

    [Test]
    public void A_throughput_short_of_its_factor_is_missed_by_the_shortfall()
    {
        var target = new IssueTarget("chat-burst", ">= 1.0x ncat", GoalKind.AtLeastPeerTimes, 1, "chat-burst", "", "k", "/s");
        var verdict = TargetVerdict.Judge(target, 44, 100, "ncat", null);
        Assert.That((verdict.Result, verdict.Margin), Is.EqualTo((TargetVerdict.Missed, "short by 56 %")));
        Assert.That(verdict.Measured, Does.StartWith("0.44× ncat"));
    }

    [Test]
    public void A_throughput_above_its_factor_is_met_with_what_is_to_spare()
    {
        var target = new IssueTarget("echo-seq", ">= 2x socat", GoalKind.AtLeastPeerTimes, 2, "echo-seq", "r", "k");
        var verdict = TargetVerdict.Judge(target, 250, 100, "socat", null);
        Assert.That((verdict.Result, verdict.Margin), Is.EqualTo((TargetVerdict.Met, "25 % above")));
    }

    [Test]
    public void A_latency_later_than_the_peer_is_missed_by_how_much_later()
    {
        var target = new IssueTarget("fan-out", "<= ncat", GoalKind.AtMostPeerTimes, 1, "fanout", "", "k", "ms");
        var verdict = TargetVerdict.Judge(target, 2.43, 1.12, "ncat", null);
        Assert.That((verdict.Result, verdict.Margin), Is.EqualTo((TargetVerdict.Missed, "117 % over")));
    }

    [TestCase(1.9, "MISSED", "58 % over")]
    [TestCase(1.2, "met", "0 % under")]
    [TestCase(0.9, "met", "25 % under")]
    public void An_absolute_limit_is_judged_on_the_figure_alone(double measured, string result, string margin)
    {
        var target = new IssueTarget("spawn", "<= 1.2 ms", GoalKind.AtMost, 1.2, "spawn", "", "k", "ms");
        var verdict = TargetVerdict.Judge(target, measured, null, null, null);
        Assert.That((verdict.Result, verdict.Margin), Is.EqualTo((result, margin)));
    }

    [Test]
    public void Below_is_strict_and_zero_means_nothing_at_all()
    {
        var below = new IssueTarget("greeting", "< 1 ms", GoalKind.Below, 1, "greeting", "warm", "k");
        var zero = new IssueTarget("no loss", "no loss", GoalKind.Zero, 0, "chat-burst", "", "lost");
        Assert.That(TargetVerdict.Judge(below, 1, null, null, null).Result, Is.EqualTo(TargetVerdict.Missed));
        Assert.That(TargetVerdict.Judge(zero, 0, null, null, null).Result, Is.EqualTo(TargetVerdict.Met));
        Assert.That(TargetVerdict.Judge(zero, 3, null, null, null).Margin, Is.EqualTo("3 instead of 0"));
    }

    [Test]
    public void A_target_without_a_figure_is_not_measured_and_says_why()
    {
        var target = new IssueTarget("echo-seq", ">= 2x socat", GoalKind.AtLeastPeerTimes, 2, "echo-seq", "r", "k");
        var missing = TargetVerdict.Judge(target, null, 100, "socat", "not available in this build");
        var noPeer = TargetVerdict.Judge(target, 100, null, "socat", null);
        Assert.That((missing.Result, missing.Measured),
            Is.EqualTo((TargetVerdict.NotMeasured, "not available in this build")));
        Assert.That((noPeer.Result, noPeer.Measured), Is.EqualTo((TargetVerdict.NotMeasured,
            "100; no figure from socat to compare with")));
    }

    [Test]
    public void A_variant_is_available_only_when_the_builds_help_lists_its_option()
    {
        var reuse = ChatForkVariant.WithOption("--worker-reuse 1000", "--worker-reuse", "1000");
        var shm = ChatForkVariant.WithOption("--fanout shm", "--fanout", "shm");
        var old = ChatForkFeatures.FromHelp(HelpWithoutVariants);
        var next = ChatForkFeatures.FromHelp(HelpWithVariants);

        // --worker is in the old help; it must not pass for --worker-reuse.
        Assert.That(old.Has("--worker"), Is.True);
        Assert.That(old.Unavailable(reuse), Does.StartWith("not available in this build"));
        Assert.That(old.Unavailable(shm), Does.Contain("--fanout"));
        Assert.That(next.Unavailable(reuse), Is.Null);
        Assert.That(next.Unavailable(shm), Is.Null);
        Assert.That(old.Unavailable(new ChatForkVariant("fresh", null)), Is.Null);
    }

    [Test]
    public void A_fanout_option_without_the_value_in_the_help_leaves_that_value_unavailable()
    {
        var features = ChatForkFeatures.FromHelp(HelpWithoutVariants + "\n  --fanout   (Default: Pipe) pipe only here.");
        Assert.That(features.Unavailable(ChatForkVariant.WithOption("--fanout shm", "--fanout", "shm")),
            Does.Contain("does not mention --fanout shm"));
        Assert.That(features.Unavailable(ChatForkVariant.WithOption("--fanout pipe", "--fanout", "pipe")), Is.Null);
    }

    [TestCase("* server full, try again later", true)]
    [TestCase("* server busy, try again", true)]
    [TestCase("* too many connections from your address", true)]
    [TestCase("* welcome to chatfork: you are served by worker 4242", false)]
    [TestCase("<announce> 127.0.0.1 is connected as <user5>.", false)]
    public void A_first_line_is_a_refusal_only_when_it_is_one_of_the_servers_refusals(string line, bool refusal) =>
        Assert.That(FirstLine.IsRefusal(line), Is.EqualTo(refusal));

    [Test]
    public void The_scale_sentence_says_no_limit_was_hit_when_all_were_served_and_reached()
    {
        var outcome = new ScaleOutcome { Requested = 500, Served = 500, MissingReceipts = 0 };
        Assert.That(outcome.LimitSentence(), Is.EqualTo(
            "No limit was hit: all 500 clients were served and the broadcast reached all 499 others."));
    }

    [Test]
    public void The_scale_sentence_names_the_most_common_cause_first_with_the_servers_words()
    {
        var outcome = new ScaleOutcome
        {
            Requested = 2000,
            Served = 1500,
            Refusals = new Dictionary<string, int> { ["* server busy, try again"] = 400 },
            ConnectErrors = new Dictionary<string, int> { ["ConnectionRefused"] = 100 },
            MissingReceipts = 2,
            TreeThreads = 30_000,
            PidMax = 32_768,
        };
        var sentence = outcome.LimitSentence();
        Assert.That(sentence, Does.StartWith("The server stopped short: 1,500 of 2,000 clients were served; 400 were "
            + "refused with the server's '* server busy, try again'; 100 could not connect (ConnectionRefused)."));
        Assert.That(sentence, Does.Contain("The broadcast missed 2 of the 1,499 other served clients."));
        Assert.That(sentence, Does.Contain("pid_max 32,768"));
    }
}

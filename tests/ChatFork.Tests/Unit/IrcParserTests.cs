using System.Text;
using ChatFork.Irc;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

public sealed class IrcParserTests
{
    [Test]
    public void A_command_with_middle_and_trailing_parameters_is_split_as_RFC_2812_says()
    {
        var m = IrcParser.Parse("privmsg #lab :hello there: friend")!;
        Assert.That(m.Command, Is.EqualTo("PRIVMSG"));
        Assert.That(m.Params, Is.EqualTo(new[] { "#lab", "hello there: friend" }));
        Assert.That(m.Source, Is.Null);
    }

    [Test]
    public void Tags_and_a_source_are_taken_off_the_front_and_tag_values_are_unescaped()
    {
        var m = IrcParser.Parse(@"@id=123;msg=a\sb\:c\\d;flag :nick!u@h NOTICE bob :hi")!;
        Assert.That(m.Tags["id"], Is.EqualTo("123"));
        Assert.That(m.Tags["msg"], Is.EqualTo(@"a b;c\d"));
        Assert.That(m.Tags["flag"], Is.EqualTo(""));
        Assert.That(m.Source, Is.EqualTo("nick!u@h"));
        Assert.That(m.Command, Is.EqualTo("NOTICE"));
        Assert.That(m.Params, Is.EqualTo(new[] { "bob", "hi" }));
    }

    [Test]
    public void Several_spaces_separate_parameters_and_an_empty_trailing_parameter_is_kept()
    {
        var m = IrcParser.Parse("TOPIC   #lab   :")!;
        Assert.That(m.Params, Is.EqualTo(new[] { "#lab", "" }));
    }

    [Test]
    public void After_fourteen_middle_parameters_the_rest_is_the_fifteenth_even_without_a_colon()
    {
        var words = string.Join(' ', Enumerable.Range(1, 14).Select(i => $"p{i}"));
        var m = IrcParser.Parse($"CMD {words} last words here")!;
        Assert.That(m.Params, Has.Count.EqualTo(15));
        Assert.That(m.Params[14], Is.EqualTo("last words here"));
    }

    [TestCase("")]
    [TestCase("    ")]
    [TestCase(":only.a.source")]
    public void A_line_with_no_command_is_ignored(string line) => Assert.That(IrcParser.Parse(line), Is.Null);

    [TestCase("PRIVMSG", true)]
    [TestCase("001", true)]
    [TestCase("12", false)]
    [TestCase("PRIV-MSG", false)]
    public void A_command_is_letters_or_three_digits(string command, bool wellFormed) =>
        Assert.That(IrcParser.IsWellFormedCommand(command), Is.EqualTo(wellFormed));

    [Test]
    public void The_512_byte_rule_counts_510_bytes_of_content_and_gives_tags_their_own_budget()
    {
        Assert.That(IrcLineLimit.IsTooLong(Encoding.UTF8.GetBytes(new string('a', 510))), Is.False);
        Assert.That(IrcLineLimit.IsTooLong(Encoding.UTF8.GetBytes(new string('a', 511))), Is.True);
        var tagged = "@" + new string('t', 4000) + " " + new string('a', 510);
        Assert.That(IrcLineLimit.IsTooLong(Encoding.UTF8.GetBytes(tagged)), Is.False);
        Assert.That(IrcLineLimit.IsTooLong(Encoding.UTF8.GetBytes("@" + new string('t', 8200) + " PING x")), Is.True);
    }

    [Test]
    public void A_built_line_is_cut_to_510_bytes_without_splitting_a_character()
    {
        var line = IrcLine.BuildTrailing("nick!user@host", "PRIVMSG", "#lab", new string('é', 400));
        var bytes = Encoding.UTF8.GetByteCount(line);
        Assert.That(bytes, Is.LessThanOrEqualTo(510));
        Assert.That(line, Does.EndWith("é"), "cut between characters, not inside one");
    }

    [Test]
    public void Numerics_always_put_their_text_after_a_colon_and_plain_lines_only_when_needed()
    {
        Assert.That(IrcLine.Numeric("srv", "401", "me", "bob", "No such nick/channel"), Is.EqualTo(":srv 401 me bob :No such nick/channel"));
        Assert.That(IrcLine.Build("a!b@c", "JOIN", "#lab"), Is.EqualTo(":a!b@c JOIN #lab"));
        Assert.That(IrcLine.Build("a!b@c", "NICK", ":odd"), Is.EqualTo(":a!b@c NICK ::odd"));
    }

    [Test]
    public void Invalid_utf8_becomes_a_replacement_character_and_NUL_and_stray_CR_are_removed_but_irc_formatting_stays()
    {
        var text = IrcText.Decode([(byte)'a', 0xff, 0, (byte)'\r', 0x02, (byte)'b', 0x01]);
        Assert.That(text, Is.EqualTo("a\uFFFD\u0002b\u0001"));
    }

    [TestCase("alice", true)]
    [TestCase("[bot]", true)]
    [TestCase("a-b_c^d`e{f}g|h\\i", true)]
    [TestCase("9lives", false)]
    [TestCase("-dash", false)]
    [TestCase("bad!nick", false)]
    [TestCase("with space", false)]
    [TestCase("#chan", false)]
    [TestCase("", false)]
    [TestCase("abcdefghijabcdefghijabcdefghij", true)]
    [TestCase("abcdefghijabcdefghijabcdefghijk", false)]
    public void Nicks_follow_the_RFC_2812_grammar_up_to_NICKLEN(string nick, bool valid) =>
        Assert.That(IrcNames.IsValidNick(nick), Is.EqualTo(valid));

    [TestCase("#lab", true)]
    [TestCase("#", false)]
    [TestCase("lab", false)]
    [TestCase("#a,b", false)]
    [TestCase("#a b", false)]
    [TestCase("#a:b", false)]
    [TestCase("#a\u0007b", false)]
    public void Channel_names_follow_RFC_2812(string name, bool valid) =>
        Assert.That(IrcNames.IsValidChannel(name), Is.EqualTo(valid));

    [Test]
    public void The_rfc1459_casemapping_folds_brackets_and_tilde_too()
    {
        Assert.That(IrcCaseMapping.Comparer.Equals("Alice[1]~", "alice{1}^"), Is.True);
        Assert.That(IrcCaseMapping.Comparer.GetHashCode("BOB\\"), Is.EqualTo(IrcCaseMapping.Comparer.GetHashCode("bob|")));
        Assert.That(IrcCaseMapping.Comparer.Equals("alice", "alicf"), Is.False);
    }

    [Test]
    public void A_user_name_is_cut_to_what_a_source_prefix_can_hold()
    {
        Assert.That(IrcNames.SanitizeUser("bob"), Is.EqualTo("~bob"));
        Assert.That(IrcNames.SanitizeUser("evil@host"), Is.EqualTo("~evil"));
        Assert.That(IrcNames.SanitizeUser(new string('x', 40)), Has.Length.EqualTo(IrcNames.UserLength));
        Assert.That(IrcNames.SanitizeUser("@"), Is.EqualTo("~user"));
    }
}

using ChatFork.Text;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

public sealed class ChatCommandTests
{
    [TestCase("hello there", ChatCommandKind.Say, "", "hello there")]
    [TestCase("//etc/passwd", ChatCommandKind.Say, "", "/etc/passwd")]
    [TestCase("/me waves", ChatCommandKind.Me, "", "waves")]
    [TestCase("/ME waves", ChatCommandKind.Me, "", "waves")]
    [TestCase("/nick alice", ChatCommandKind.Nick, "alice", "")]
    [TestCase("/msg bob  see you", ChatCommandKind.Msg, "bob", "see you")]
    [TestCase("/who", ChatCommandKind.Who, "", "")]
    [TestCase("/ps", ChatCommandKind.Ps, "", "")]
    [TestCase("/quit gone fishing", ChatCommandKind.Quit, "", "gone fishing")]
    [TestCase("/help", ChatCommandKind.Help, "", "")]
    [TestCase("/frobnicate", ChatCommandKind.Unknown, "frobnicate", "")]
    [TestCase("   ", ChatCommandKind.Empty, "", "")]
    [TestCase("/nick", ChatCommandKind.Usage, "", "/nick NAME")]
    [TestCase("/nick a b", ChatCommandKind.Usage, "", "/nick NAME")]
    [TestCase("/msg bob", ChatCommandKind.Usage, "", "/msg NICK text")]
    [TestCase("/me", ChatCommandKind.Usage, "", "/me text")]
    public void Parses(string line, ChatCommandKind kind, string argument, string text)
    {
        Assert.That(ChatCommand.Parse(line), Is.EqualTo(new ChatCommand(kind, argument, text)));
    }

    [TestCase("alice", true)]
    [TestCase("Bob_2", true)]
    [TestCase("guest-7", true)]
    [TestCase("", false)]
    [TestCase("7up", false)]
    [TestCase("a b", false)]
    [TestCase("ölaf", false)]
    [TestCase("abcdefghijklmnopq", false)]
    [TestCase("abcdefghijklmnop", true)]
    public void Nick_rules(string nick, bool valid)
    {
        Assert.That(NickRules.IsValid(nick), Is.EqualTo(valid), NickRules.Check(nick));
    }

    [Test]
    public void Nicks_compare_without_case()
    {
        Assert.That(NickRules.Comparer.Equals("Alice", "aLICE"), Is.True);
    }
}

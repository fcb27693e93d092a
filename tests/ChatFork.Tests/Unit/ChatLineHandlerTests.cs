using System.Diagnostics.CodeAnalysis;
using System.Text;
using ChatFork.Protocol;
using ChatFork.Sessions;
using ChatFork.Text;
using NUnit.Framework;

namespace ChatFork.Tests.Unit;

/// <summary>
/// The chat line handler with a recording link and client: what a client's line becomes on the way to the room, as
/// bytes, with no process or pipe in between.
/// </summary>
public sealed class ChatLineHandlerTests
{
    [Test]
    public void A_clean_chat_line_reaches_the_link_as_a_slice_of_what_the_client_sent()
    {
        var (handler, link, _, _) = Create();
        var raw = "héllo there ✓\r\n"u8.ToArray();
        link.Source = raw;
        handler.OnLine(raw);
        Assert.That(link.Calls, Is.EqualTo(new[] { "Say héllo there ✓" }));
        Assert.That(link.LastTextWasInSource, Is.True, "a clean line should not be copied before the link");
    }

    [Test]
    public void A_dirty_chat_line_reaches_the_link_as_the_bytes_the_string_path_sent()
    {
        var (handler, link, _, _) = Create();
        byte[] content = [.. "red\u001b[1;31m\u001b]0;title\u0007 \u202eevil\t"u8, 0xff, .. "x"u8];
        handler.OnLine([.. content, (byte)'\n']);
        Assert.That(link.Texts.Single(), Is.EqualTo(Encoding.UTF8.GetBytes(TextSanitizer.Clean(content))));
        Assert.That(TextSanitizer.IsCleanUtf8(link.Texts.Single()), Is.True);
    }

    [Test]
    public void Me_and_msg_reach_the_link_as_bytes_and_a_bad_nick_is_answered_without_it()
    {
        var (handler, link, client, _) = Create();
        handler.OnLine("/me waves\n"u8);
        handler.OnLine("/msg bob  see \u001b[2Jyou\n"u8);
        handler.OnLine("/nick alice\n"u8);
        handler.OnLine("/msg 7up hi\n"u8);
        handler.OnLine("/nick wörld\n"u8);
        Assert.That(link.Calls, Is.EqualTo(new[] { "Act waves", "Whisper bob see you", "Nick alice" }));
        Assert.That(client.Lines, Is.EqualTo(new[]
        {
            "* no such nick: 7up",
            "* cannot take nick \"wörld\": a nick may hold only letters, digits, - and _",
        }));
    }

    [Test]
    public void Quit_ends_the_session_with_its_trimmed_reason_after_sending_what_was_queued()
    {
        var (handler, link, _, session) = Create();
        handler.OnLine("hello\n"u8);
        Assert.Throws<SessionEnded>(() => handler.OnLine("/quit  gone fishing \u00a0\r\n"u8));
        Assert.That(link.Flushes, Is.EqualTo(1));
        Assert.That(session.Ended, Is.EqualTo((LeaveReason.Quit, "gone fishing", "* bye")));
    }

    [Test]
    public void Usage_and_unknown_commands_are_answered_to_the_client_alone()
    {
        var (handler, link, client, _) = Create();
        handler.OnLine("/me\n"u8);
        handler.OnLine("/Frob it\n"u8);
        handler.OnLine("   \n"u8);
        Assert.That(link.Calls, Is.Empty);
        Assert.That(client.Lines, Is.EqualTo(new[]
        {
            "* usage: /me text",
            "* unknown command /Frob; /help lists the commands",
        }));
    }

    private static (ChatLineHandler, RecordingLink, RecordingClient, RecordingSession) Create()
    {
        var link = new RecordingLink();
        var client = new RecordingClient();
        var session = new RecordingSession();
        return (new ChatLineHandler(session, client, link, allowCrash: false), link, client, session);
    }

    private sealed class SessionEnded : Exception;

    private sealed class RecordingSession : ISessionControl
    {
        public (LeaveReason, string, string?)? Ended { get; private set; }

        [DoesNotReturn]
        public void EndSession(LeaveReason reason, string detail, string? lastLine)
        {
            Ended = (reason, detail, lastLine);
            throw new SessionEnded();
        }

        [DoesNotReturn]
        public void EndTooSlow() => throw new SessionEnded();

        [DoesNotReturn]
        public void EndRoomGone() => throw new SessionEnded();
    }

    private sealed class RecordingClient : IClientOutput
    {
        public List<string> Lines { get; } = [];

        public bool AppendLine(ReadOnlySpan<byte> utf8Line)
        {
            Lines.Add(Encoding.UTF8.GetString(utf8Line));
            return true;
        }

        public bool AppendLine(string line)
        {
            Lines.Add(line);
            return true;
        }

        public bool Append(ReadOnlySpan<byte> bytes) => throw new AssertionException("chat mode does not echo");

        public void Commit()
        {
        }
    }

    private sealed class RecordingLink : IChatLink
    {
        public byte[] Source { get; set; } = [];

        public List<string> Calls { get; } = [];

        public List<byte[]> Texts { get; } = [];

        public bool LastTextWasInSource { get; private set; }

        public int Flushes { get; private set; }

        public void Say(ReadOnlySpan<byte> utf8) => Record("Say", utf8);

        public void Act(ReadOnlySpan<byte> utf8) => Record("Act", utf8);

        public void Nick(string nick) => Calls.Add("Nick " + nick);

        public void Whisper(string target, ReadOnlySpan<byte> utf8) => Record("Whisper " + target, utf8);

        public void Who() => Calls.Add("Who");

        public void Ps() => Calls.Add("Ps");

        public bool Flush()
        {
            Flushes++;
            return true;
        }

        private void Record(string what, ReadOnlySpan<byte> utf8)
        {
            LastTextWasInSource = utf8.Overlaps(Source);
            Texts.Add(utf8.ToArray());
            Calls.Add(what + " " + Encoding.UTF8.GetString(utf8));
        }
    }
}

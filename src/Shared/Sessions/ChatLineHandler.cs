using System.Buffers;
using System.Text;
using ChatFork.Protocol;
using ChatFork.Text;

namespace ChatFork.Sessions;

/// <summary>
/// Chat mode: a line is cleaned (UTF-8 repaired, escapes and control characters stripped), parsed as a command or a
/// chat line, and passed to the room through an <see cref="IChatLink"/>. The room itself (nicks, who is here, the
/// order of messages) lives elsewhere; what a session can answer alone (/help, usage errors) it answers here.
/// Every process model runs this same code, so they cannot drift apart. A chat line stays UTF-8 bytes from the socket
/// to the link: cleaned in place when it is already clean (the common case), else into one buffer reused per line.
/// </summary>
internal sealed class ChatLineHandler : ILineHandler
{
    private readonly ISessionControl _session;
    private readonly IClientOutput _client;
    private readonly IChatLink _link;
    private readonly bool _allowCrash;
    private readonly ArrayBufferWriter<byte> _cleaned = new(256);
    private bool _wroteToClient;

    public ChatLineHandler(ISessionControl session, IClientOutput client, IChatLink link, bool allowCrash)
    {
        _session = session;
        _client = client;
        _link = link;
        _allowCrash = allowCrash;
    }

    public void OnLine(ReadOnlySpan<byte> rawLine)
    {
        var command = Utf8ChatCommand.Parse(Clean(LineSplitter.Content(rawLine)));
        switch (command.Kind)
        {
            case ChatCommandKind.Empty:
                break;
            case ChatCommandKind.Say:
                _link.Say(command.Text);
                break;
            case ChatCommandKind.Me:
                _link.Act(command.Text);
                break;
            case ChatCommandKind.Nick:
            {
                var nick = Encoding.UTF8.GetString(command.Argument);
                if (NickRules.Check(nick) is { } problem)
                {
                    Tell($"* cannot take nick \"{nick}\": {problem}");
                }
                else
                {
                    _link.Nick(nick);
                }

                break;
            }

            case ChatCommandKind.Msg:
            {
                var target = Encoding.UTF8.GetString(command.Argument);
                if (!NickRules.IsValid(target))
                {
                    Tell($"* no such nick: {target}");
                }
                else
                {
                    _link.Whisper(target, command.Text);
                }

                break;
            }

            case ChatCommandKind.Who:
                _link.Who();
                break;
            case ChatCommandKind.Ps:
                _link.Ps();
                break;
            case ChatCommandKind.Quit:
            {
                var reason = Encoding.UTF8.GetString(command.Text);
                OnBatchEnd();
                _session.EndSession(LeaveReason.Quit, reason, "* bye");
                break;
            }

            case ChatCommandKind.Help:
                foreach (var line in ChatCommand.HelpLines)
                {
                    Tell("* " + line);
                }

                break;
            case ChatCommandKind.Usage:
                Tell("* usage: " + Encoding.UTF8.GetString(command.Text));
                break;
            case ChatCommandKind.Crash when _allowCrash:
                // The lab's lesson in crash isolation: a worker process dies alone; a thread or a task takes its
                // whole server process with it. FailFast: no cleanup, no catch, as a real bug would.
                Environment.FailFast($"/crash typed by a client (--enable-crash-command)");
                break;
            case ChatCommandKind.Unknown or ChatCommandKind.Crash:
                Tell($"* unknown command /{Encoding.UTF8.GetString(command.Argument)}; /help lists the commands");
                break;
        }
    }

    public void OnBatchEnd()
    {
        if (!_link.Flush())
        {
            _session.EndRoomGone();
        }

        if (_wroteToClient)
        {
            _wroteToClient = false;
            _client.Commit();
        }
    }

    // The line as it came when it is clean already, so most lines are not copied; else cleaned into _cleaned.
    private ReadOnlySpan<byte> Clean(ReadOnlySpan<byte> content)
    {
        if (TextSanitizer.IsCleanUtf8(content))
        {
            return content;
        }

        _cleaned.ResetWrittenCount();
        TextSanitizer.CleanUtf8(content, _cleaned);
        return _cleaned.WrittenSpan;
    }

    private void Tell(string line)
    {
        if (!_client.AppendLine(line))
        {
            _session.EndTooSlow();
        }

        _wroteToClient = true;
    }
}

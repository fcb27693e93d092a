using ChatFork.Protocol;
using ChatFork.Text;

namespace ChatFork.Sessions;

/// <summary>
/// Chat mode: a line is cleaned (UTF-8 repaired, escapes and control characters stripped), parsed as a command or a
/// chat line, and passed to the room through an <see cref="IChatLink"/>. The room itself (nicks, who is here, the
/// order of messages) lives elsewhere; what a session can answer alone (/help, usage errors) it answers here.
/// Every process model runs this same code, so they cannot drift apart.
/// </summary>
public sealed class ChatLineHandler : ILineHandler
{
    private readonly ISessionControl _session;
    private readonly IClientOutput _client;
    private readonly IChatLink _link;
    private readonly bool _allowCrash;
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
        var text = TextSanitizer.Clean(LineSplitter.Content(rawLine));
        var command = ChatCommand.Parse(text);
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
                if (NickRules.Check(command.Argument) is { } problem)
                {
                    Tell($"* cannot take nick \"{command.Argument}\": {problem}");
                }
                else
                {
                    _link.Nick(command.Argument);
                }

                break;
            case ChatCommandKind.Msg:
                if (!NickRules.IsValid(command.Argument))
                {
                    Tell($"* no such nick: {command.Argument}");
                }
                else
                {
                    _link.Whisper(command.Argument, command.Text);
                }

                break;
            case ChatCommandKind.Who:
                _link.Who();
                break;
            case ChatCommandKind.Ps:
                _link.Ps();
                break;
            case ChatCommandKind.Quit:
                OnBatchEnd();
                _session.EndSession(LeaveReason.Quit, command.Text, "* bye");
                break;
            case ChatCommandKind.Help:
                foreach (var line in ChatCommand.HelpLines)
                {
                    Tell("* " + line);
                }

                break;
            case ChatCommandKind.Usage:
                Tell("* usage: " + command.Text);
                break;
            case ChatCommandKind.Crash when _allowCrash:
                // The lab's lesson in crash isolation: a worker process dies alone; a thread or a task takes its
                // whole server process with it. FailFast: no cleanup, no catch, as a real bug would.
                Environment.FailFast($"/crash typed by a client (--enable-crash-command)");
                break;
            case ChatCommandKind.Unknown or ChatCommandKind.Crash:
                Tell($"* unknown command /{command.Argument}; /help lists the commands");
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

    private void Tell(string line)
    {
        if (!_client.AppendLine(line))
        {
            _session.EndTooSlow();
        }

        _wroteToClient = true;
    }
}

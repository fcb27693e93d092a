using ChatFork.Protocol;
using ChatFork.Text;

namespace ChatFork.Worker;

/// <summary>
/// Chat mode: a line is cleaned (UTF-8 repaired, escapes and control characters stripped), parsed as a command or a
/// chat line, and sent to the supervisor as a typed frame. The room itself (nicks, who is here, the order of
/// messages) lives in the supervisor; what a worker can answer alone (/help, usage errors) it answers here.
/// </summary>
internal sealed class ChatHandler : ILineHandler
{
    private readonly WorkerProcess _worker;
    private readonly ClientConnection _client;
    private readonly SupervisorLink _link;
    private bool _wroteToClient;

    public ChatHandler(WorkerProcess worker, ClientConnection client, SupervisorLink link)
    {
        _worker = worker;
        _client = client;
        _link = link;
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
                _link.AppendText(FrameType.Say, command.Text);
                break;
            case ChatCommandKind.Me:
                _link.AppendText(FrameType.Act, command.Text);
                break;
            case ChatCommandKind.Nick:
                if (NickRules.Check(command.Argument) is { } problem)
                {
                    Tell($"* cannot take nick \"{command.Argument}\": {problem}");
                }
                else
                {
                    _link.AppendText(FrameType.Nick, command.Argument);
                }

                break;
            case ChatCommandKind.Msg:
                if (!NickRules.IsValid(command.Argument))
                {
                    Tell($"* no such nick: {command.Argument}");
                }
                else
                {
                    _link.AppendWhisper(new WhisperMessage(command.Argument, command.Text));
                }

                break;
            case ChatCommandKind.Who:
                _link.AppendEmpty(FrameType.Who);
                break;
            case ChatCommandKind.Ps:
                _link.AppendEmpty(FrameType.Ps);
                break;
            case ChatCommandKind.Quit:
                OnBatchEnd();
                _worker.End(LeaveReason.Quit, command.Text, "* bye");
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
            case ChatCommandKind.Unknown:
                Tell($"* unknown command /{command.Argument}; /help lists the commands");
                break;
        }
    }

    public void OnBatchEnd()
    {
        if (!_link.Flush())
        {
            _worker.EndSupervisorGone();
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
            _worker.EndTooSlow();
        }

        _wroteToClient = true;
    }
}

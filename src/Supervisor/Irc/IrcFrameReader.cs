using ChatFork.Irc;
using ChatFork.Protocol;
using ChatFork.Supervisor.ProcessModel;

namespace ChatFork.Supervisor.Irc;

/// <summary>
/// The IRC frames of one worker's pipe, checked and turned into events for the <see cref="IrcServer"/>. A worker is
/// not trusted: what it forwards must be what a correct worker could have parsed from a client (a defined verb,
/// enough parameters, no CR, LF or NUL anywhere, middle parameters without spaces, a valid nick), or the frame is a
/// <see cref="ProtocolException"/> and the worker is killed (WorkerPipeReader does that).
/// </summary>
internal sealed class IrcFrameReader
{
    // A parameter came from a line of at most 510 bytes; repaired UTF-8 can triple that, never more.
    private const int MaxParamBytes = 3 * IrcLineLimit.MaxContentBytes;

    private readonly IrcServer _server;
    private readonly IrcWorkerMember _member;
    private readonly List<IrcEvent> _pending = [];

    public IrcFrameReader(IrcServer server, WorkerSlot slot)
    {
        _server = server;
        _member = new IrcWorkerMember(slot);
    }

    /// <summary>Checks one frame and queues its event; throws <see cref="ProtocolException"/> if it is wrong.</summary>
    public void Read(Frame frame) => _pending.Add(ToEvent(frame, _member));

    /// <summary>The check itself, on its own for the unit tests: the event a valid frame means, or the exception.</summary>
    public static IrcEvent ToEvent(Frame frame, IIrcMember member)
    {
        switch (frame.Type)
        {
            case FrameType.IrcRegister:
            {
                var register = IrcRegisterMessage.Read(frame);
                if (!IrcNames.IsValidNick(register.Nick))
                {
                    throw new ProtocolException("An IrcRegister frame holds a nick that breaks the nick rules (the worker checks them first).");
                }

                if (register.User.Length is < 2 or > IrcNames.UserLength || register.User[0] != '~'
                    || register.User.Any(c => c <= ' ' || c is '@' or '!' or ':' or '\u007f'))
                {
                    throw new ProtocolException("An IrcRegister frame holds a user name the worker should have cleaned.");
                }

                if (!IrcText.IsCarryable(register.RealName) || register.RealName.Length > MaxParamBytes
                    || (register.Password is { } password && (!IrcText.IsCarryable(password) || password.Length > MaxParamBytes)))
                {
                    throw new ProtocolException("An IrcRegister frame holds CR, LF or NUL, or a field too long for an IRC line.");
                }

                return new IrcEvent(IrcEventKind.Register, member, Registration: register);
            }

            case FrameType.IrcCommand:
            {
                var command = IrcCommandMessage.Read(frame);
                Check(command);
                return new IrcEvent(IrcEventKind.Command, member, Command: command);
            }

            default:
                throw new ProtocolException($"{frame.Type} is not an IRC frame.");
        }
    }

    /// <summary>Posts what <see cref="Read"/> queued, in order; waits when the server is behind (back-pressure).</summary>
    public async ValueTask PostPendingAsync()
    {
        foreach (var e in _pending)
        {
            if (!_server.TryPost(e))
            {
                await _server.PostAsync(e);
            }
        }

        _pending.Clear();
    }

    private static void Check(IrcCommandMessage command)
    {
        var p = command.Params;
        if (p.Count < IrcVerbs.MinParams(command.Verb))
        {
            throw new ProtocolException($"An IrcCommand frame for {command.Verb} has {p.Count} parameters; it needs {IrcVerbs.MinParams(command.Verb)}.");
        }

        for (var i = 0; i < p.Count; i++)
        {
            var last = i == p.Count - 1;
            if (!IrcText.IsCarryable(p[i]) || p[i].Length > MaxParamBytes
                || (!last && (p[i].Length == 0 || p[i].Contains(' ', StringComparison.Ordinal) || p[i][0] == ':')))
            {
                throw new ProtocolException($"An IrcCommand frame for {command.Verb} has a parameter no IRC line could hold.");
            }
        }

        if (command.Verb == IrcVerb.Nick && !IrcNames.IsValidNick(p[0]))
        {
            throw new ProtocolException("An IrcCommand NICK frame holds a nick that breaks the nick rules (the worker checks them first).");
        }
    }
}

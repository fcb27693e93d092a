using ChatFork.Protocol;
using ChatFork.Sessions;
using ChatFork.Text;

namespace ChatFork.Irc;

/// <summary>
/// IRC mode's line handler, one per worker: parses each line the client sends and either answers it alone (the
/// registration commands, CAP, PING, QUIT, a malformed or unknown command, a command with too few parameters) or
/// forwards it to the server as a typed <see cref="IrcCommandMessage"/>. It never formats a reply that needs the
/// server's state; those come back down the pipe as complete lines. It is the text protocol's
/// <see cref="ChatLineHandler"/> counterpart, and shares nothing with it but the plumbing.
/// </summary>
/// <remarks>
/// Two threads call in: the client reader (<see cref="OnLine"/>) and the pipe reader (<see cref="OnServerNick"/>,
/// <see cref="OnServerClose"/>); the registration state is under a lock. The session is ended outside the lock.
/// </remarks>
internal sealed class IrcSession : ILineHandler
{
    private readonly ISessionControl _session;
    private readonly IClientOutput _client;
    private readonly IIrcLink _link;
    private readonly IrcWorkerSettings _settings;
    private readonly string _clientHost;
    private readonly Func<long> _clock;
    private readonly IrcFloodBucket _flood;
    private readonly IrcRegistration _registration = new();
    private readonly Lock _lock = new();
    private bool _wroteToClient;

    public IrcSession(ISessionControl session, IClientOutput client, IIrcLink link, IrcWorkerSettings settings, string clientHost, Func<long>? clock = null)
    {
        _session = session;
        _client = client;
        _link = link;
        _settings = settings;
        _clientHost = clientHost;
        _clock = clock ?? (() => Environment.TickCount64);
        _flood = new IrcFloodBucket(settings.FloodBurst, settings.FloodLinesPerSecond, _clock());
    }

    private string Server => _settings.ServerName;

    /// <summary>The client's address, as <c>ERROR :Closing Link</c> names it.</summary>
    public string ClientHost => _clientHost;

    /// <summary>The nick the server registered, or null before.</summary>
    public string? RegisteredNick
    {
        get
        {
            lock (_lock)
            {
                return _registration.IsRegistered ? _registration.Nick : null;
            }
        }
    }

    public void OnLine(ReadOnlySpan<byte> rawLine)
    {
        if (!_flood.TryTake(_clock()))
        {
            OnBatchEnd();
            _session.EndSession(LeaveReason.BadInput, "Excess Flood", IrcLine.ClosingLink(_clientHost, "Excess Flood"));
        }

        var content = LineSplitter.Content(rawLine);
        if (IrcLineLimit.IsTooLong(content))
        {
            Numeric(IrcNumeric.ERR_INPUTTOOLONG, "Input line was too long");
            return;
        }

        if (IrcParser.Parse(IrcText.Decode(content)) is not { } message)
        {
            return;
        }

        Handle(message);
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

    /// <summary>The server says the client is registered (or renamed) as <paramref name="nick"/>.</summary>
    public void OnServerNick(string nick)
    {
        lock (_lock)
        {
            _registration.Registered(nick);
        }
    }

    /// <summary>The server refuses the client (a wrong password): close it with <paramref name="reason"/>.</summary>
    public void OnServerClose(string reason)
    {
        _client.Commit();
        _session.EndSession(LeaveReason.BadInput, reason, IrcLine.ClosingLink(_clientHost, reason));
    }

    /// <summary>The ping timer says it is time: <c>PING :server</c>, which the client must answer.</summary>
    public void SendPing()
    {
        Tell(IrcLine.BuildTrailing(Server, "PING", Server));
        _client.Commit();
        _wroteToClient = false;
    }

    /// <summary>
    /// The words of the last line for the client when the session ends for a reason the shared session code words
    /// in the text protocol's style ("* line too long ..."): IRC's <c>ERROR :Closing Link: host (reason)</c> instead.
    /// </summary>
    public string? ClosingLine(string? lastLine)
    {
        if (lastLine is null || lastLine.StartsWith("ERROR ", StringComparison.Ordinal))
        {
            return lastLine;
        }

        return IrcLine.ClosingLink(_clientHost, lastLine.StartsWith("* ", StringComparison.Ordinal) ? lastLine[2..] : lastLine);
    }

    private void Handle(IrcMessage message)
    {
        switch (message.Command)
        {
            case "CAP":
                Cap(message);
                return;
            case "PASS":
                Pass(message);
                return;
            case "NICK":
                Nick(message);
                return;
            case "USER":
                User(message);
                return;
            case "PING":
                if (message.Param(0) is not { Length: > 0 } token)
                {
                    Numeric(IrcNumeric.ERR_NOORIGIN, "No origin specified");
                }
                else
                {
                    Tell(IrcLine.Build(Server, "PONG", Server, token));
                }

                return;
            case "PONG":
                return; // a sign of life, which the read loop has counted already
            case "QUIT":
                OnBatchEnd();
                var reason = message.Param(0) ?? "";
                _session.EndSession(LeaveReason.Quit, reason, IrcLine.ClosingLink(_clientHost, QuitReason(reason)));
                return;
        }

        // While the server decides on the registration (Registering), commands go on to it: they arrive after the
        // registration frame and are answered in order, as a client that sends JOIN right after USER expects; the
        // server answers 451 itself if the registration failed.
        if (Locked(r => r.State) == IrcRegistrationState.Unregistered)
        {
            Numeric(IrcNumeric.ERR_NOTREGISTERED, "You have not registered");
            return;
        }

        switch (message.Command)
        {
            case "OPER":
                if (message.Params.Count < 2)
                {
                    NeedMoreParams("OPER");
                }
                else
                {
                    Numeric(IrcNumeric.ERR_NOOPERHOST, "No O-lines for your host");
                }

                return;
            case "WHOWAS":
                if (message.Param(0) is not { Length: > 0 } nick)
                {
                    Numeric(IrcNumeric.ERR_NONICKNAMEGIVEN, "No nickname given");
                    return;
                }

                // The server keeps no history of nicks; it says so the way the RFC words it.
                Numeric(IrcNumeric.ERR_WASNOSUCHNICK, nick, "There was no such nickname");
                Numeric(IrcNumeric.RPL_ENDOFWHOWAS, nick, "End of WHOWAS");
                return;
        }

        if (!IrcParser.IsWellFormedCommand(message.Command) || !IrcVerbs.TryParse(message.Command, out var verb))
        {
            Numeric(IrcNumeric.ERR_UNKNOWNCOMMAND, Printable(message.Command), "Unknown command");
            return;
        }

        Forward(verb, message);
    }

    private void Forward(IrcVerb verb, IrcMessage message)
    {
        var parameters = message.Params;
        switch (verb)
        {
            case IrcVerb.Privmsg or IrcVerb.Notice:
                // RFC 2812 3.3.2: no error reply, ever, to a NOTICE; a PRIVMSG gets 411 or 412.
                if (parameters.Count == 0 || parameters[0].Length == 0)
                {
                    if (verb == IrcVerb.Privmsg)
                    {
                        Numeric(IrcNumeric.ERR_NORECIPIENT, $"No recipient given ({IrcVerbs.Name(verb)})");
                    }

                    return;
                }

                if (parameters.Count < 2 || parameters[1].Length == 0)
                {
                    if (verb == IrcVerb.Privmsg)
                    {
                        Numeric(IrcNumeric.ERR_NOTEXTTOSEND, "No text to send");
                    }

                    return;
                }

                break;
            case IrcVerb.Nick:
                Nick(message);
                return;
            case IrcVerb.Whois when parameters.Count == 0 || parameters[^1].Length == 0:
                Numeric(IrcNumeric.ERR_NONICKNAMEGIVEN, "No nickname given");
                return;
            default:
                if (parameters.Count < IrcVerbs.MinParams(verb) || (IrcVerbs.MinParams(verb) > 0 && parameters[0].Length == 0))
                {
                    NeedMoreParams(IrcVerbs.Name(verb));
                    return;
                }

                break;
        }

        _link.Command(new IrcCommandMessage(verb, parameters));
    }

    private void Cap(IrcMessage message)
    {
        var client = ClientName();
        switch (message.Param(0)?.ToUpperInvariant())
        {
            case null:
                NeedMoreParams("CAP");
                break;
            case "LS":
                // No capabilities: each needs its whole extension done right, and none is done yet. An empty LS tells a
                // client so, and it goes on with plain RFC 2812 registration after CAP END.
                Locked(r => r.OnCapStart());
                Tell(IrcLine.BuildTrailing(Server, "CAP", client, "LS", ""));
                break;
            case "LIST":
                Tell(IrcLine.BuildTrailing(Server, "CAP", client, "LIST", ""));
                break;
            case "REQ":
                Locked(r => r.OnCapStart());
                Tell(IrcLine.BuildTrailing(Server, "CAP", client, "NAK", message.Param(1) ?? ""));
                break;
            case "END":
                Step(Locked(r => r.OnCapEnd()));
                break;
            default:
                Numeric(IrcNumeric.ERR_INVALIDCAPCMD, Printable(message.Param(0)!), "Invalid CAP command");
                break;
        }
    }

    private void Pass(IrcMessage message)
    {
        if (message.Param(0) is not { } password)
        {
            NeedMoreParams("PASS");
            return;
        }

        if (!Locked(r => r.OnPass(password)))
        {
            Numeric(IrcNumeric.ERR_ALREADYREGISTERED, "You may not reregister");
        }
    }

    private void Nick(IrcMessage message)
    {
        if (message.Param(0) is not { Length: > 0 } nick)
        {
            Numeric(IrcNumeric.ERR_NONICKNAMEGIVEN, "No nickname given");
            return;
        }

        if (!IrcNames.IsValidNick(nick))
        {
            Numeric(IrcNumeric.ERR_ERRONEUSNICKNAME, Printable(nick), "Erroneous nickname");
            return;
        }

        if (IsRegistered())
        {
            _link.Command(new IrcCommandMessage(IrcVerb.Nick, [nick]));
            return;
        }

        Step(Locked(r => r.OnNick(nick)));
    }

    private void User(IrcMessage message)
    {
        if (IsRegistered())
        {
            Numeric(IrcNumeric.ERR_ALREADYREGISTERED, "You may not reregister");
            return;
        }

        // USER <username> <mode> <unused> :<realname> (RFC 2812 3.1.3); the mode and the unused field are ignored.
        if (message.Params.Count < 4 || message.Params[0].Length == 0)
        {
            NeedMoreParams("USER");
            return;
        }

        var user = IrcNames.SanitizeUser(message.Params[0]);
        Step(Locked(r => r.OnUser(user, message.Params[3])));
    }

    private void Step(IrcRegistrationStep step)
    {
        switch (step)
        {
            case IrcRegistrationStep.Register:
                IrcRegisterMessage register;
                lock (_lock)
                {
                    register = new IrcRegisterMessage(_registration.Nick!, _registration.User!, _registration.RealName!, _registration.Password);
                }

                _link.Register(register);
                break;
            case IrcRegistrationStep.AlreadyRegistered:
                Numeric(IrcNumeric.ERR_ALREADYREGISTERED, "You may not reregister");
                break;
        }
    }

    private static string QuitReason(string reason) => reason.Length == 0 ? "Client Quit" : $"Quit: {reason}";

    // A command or nick echoed in an error must not break the reply's own syntax.
    private static string Printable(string text)
    {
        var cut = text.Length > 32 ? text[..32] : text;
        return cut.Length == 0 || cut[0] == ':' ? "*" + cut : cut;
    }

    private bool IsRegistered()
    {
        lock (_lock)
        {
            return _registration.IsRegistered;
        }
    }

    private string ClientName()
    {
        lock (_lock)
        {
            return _registration.ClientName;
        }
    }

    private T Locked<T>(Func<IrcRegistration, T> action)
    {
        lock (_lock)
        {
            return action(_registration);
        }
    }

    private void Locked(Action<IrcRegistration> action)
    {
        lock (_lock)
        {
            action(_registration);
        }
    }

    private void NeedMoreParams(string command) => Numeric(IrcNumeric.ERR_NEEDMOREPARAMS, command, "Not enough parameters");

    private void Numeric(string numeric, params ReadOnlySpan<string> parameters) =>
        Tell(IrcLine.Numeric(Server, numeric, ClientName(), parameters));

    private void Tell(string line)
    {
        if (!_client.AppendLine(line))
        {
            _session.EndTooSlow();
        }

        _wroteToClient = true;
    }
}

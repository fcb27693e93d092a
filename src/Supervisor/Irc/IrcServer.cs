using System.Security.Cryptography;
using System.Text;
using ChatFork.Irc;
using ChatFork.Protocol;
using NLog;

namespace ChatFork.Supervisor.Irc;

/// <summary>
/// The IRC server's state: who is registered under which nick (folded with the rfc1459 case mapping, as 005 says),
/// which channels exist with which members, topics and modes. Like the text protocol's ChatRoom it is one loop that
/// takes events from a bounded channel, so its state needs no lock and every client sees everyone's lines in one
/// order; it never blocks on a member (each member's queue is bounded, and a member whose queue is full is dropped);
/// after each batch it flushes the members it wrote to.
/// </summary>
/// <remarks>
/// Workers parse IRC; this class never sees a client's bytes, only typed frames the frame reader has checked. It
/// formats every reply that needs shared state (numerics with the server name as their source, relayed PRIVMSG,
/// JOIN, ...) as a complete line and queues it for the worker, which writes it to its client as it is.
/// <see cref="Process"/> is pure state-machine code: the unit tests drive it with fake members, no processes.
/// </remarks>
internal sealed partial class IrcServer
{
    private static readonly Logger s_log = LogManager.GetLogger("irc");

    private readonly Room.EventLoop<IrcEvent> _loop;
    private readonly IrcSettings _settings;
    private readonly int _supervisorProcessId;
    private readonly string _version;
    private readonly DateTimeOffset _createdAt;
    private readonly Func<DateTimeOffset> _clock;
    private readonly Dictionary<long, IrcUser> _users = [];
    private readonly Dictionary<string, IrcUser> _byNick = new(IrcCaseMapping.Comparer);
    private readonly Dictionary<string, IrcChannel> _channels = new(IrcCaseMapping.Comparer);
    private readonly List<IIrcMember> _dirty = [];
    private readonly HashSet<IIrcMember> _dirtySet = new(ReferenceEqualityComparer.Instance);
    private long _sequence;
    private int _mostUsers;

    public IrcServer(IrcSettings settings, int supervisorProcessId, string version, Func<DateTimeOffset>? clock = null, int capacity = 8192)
    {
        _settings = settings;
        _supervisorProcessId = supervisorProcessId;
        _version = version;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
        _createdAt = _clock();
        _loop = new Room.EventLoop<IrcEvent>(capacity);
    }

    private string Server => _settings.ServerName;

    private long Now => _clock().ToUnixTimeSeconds();

    public bool TryPost(IrcEvent e) => _loop.TryPost(e);

    public ValueTask PostAsync(IrcEvent e) => _loop.PostAsync(e);

    /// <summary>Posts an event that must not be lost (a leave), waiting for room in the channel if need be.</summary>
    public void PostReliably(IrcEvent e) => _loop.PostReliably(e);

    public void Complete() => _loop.Complete();

    public Task RunAsync() => _loop.RunAsync(Process, FlushDirty);

    /// <summary>Acts on one event. Not thread-safe: the loop's alone.</summary>
    public void Process(IrcEvent e)
    {
        try
        {
            switch (e.Kind)
            {
                case IrcEventKind.Register:
                    Register(e.Member, e.Registration);
                    break;
                case IrcEventKind.Command when _users.TryGetValue(e.Member.Id, out var user):
                    Command(user, e.Command!);
                    break;
                case IrcEventKind.Command:
                    // Sent while its registration was being decided, and the registration failed (433, 464).
                    Send(e.Member, IrcLine.Numeric(Server, IrcNumeric.ERR_NOTREGISTERED, "*", "You have not registered"));
                    break;
                case IrcEventKind.Left:
                    Left(e.Member.Id, e.Reason ?? "Client exited");
                    break;
            }
        }
        catch (Exception ex)
        {
            s_log.Error(ex, $"could not handle {e.Kind} from connection {e.Member.Id}");
        }
    }

    /// <summary>Asks every member written to since the last call to send what it has queued.</summary>
    public void FlushDirty()
    {
        foreach (var member in _dirty)
        {
            member.Flush();
        }

        _dirty.Clear();
        _dirtySet.Clear();
    }

    private void Register(IIrcMember member, IrcRegisterMessage registration)
    {
        if (_users.TryGetValue(member.Id, out var registered))
        {
            // The worker asked again with a newer nick while our welcome was on its way: that is a nick change now.
            ChangeNick(registered, registration.Nick);
            return;
        }

        if (_settings.Password is { } password && !PasswordMatches(registration.Password, password))
        {
            Send(member, IrcLine.Numeric(Server, IrcNumeric.ERR_PASSWDMISMATCH, "*", "Password incorrect"));
            Control(member, member.SendClose("Bad Password"));
            s_log.Warn($"refused connection {member.Id} from {member.Host} (worker {member.WorkerProcessId}): {(registration.Password is null ? "no" : "a wrong")} password (--password)");
            return;
        }

        if (_byNick.ContainsKey(registration.Nick))
        {
            Send(member, IrcLine.Numeric(Server, IrcNumeric.ERR_NICKNAMEINUSE, "*", registration.Nick, "Nickname is already in use"));
            return;
        }

        var user = new IrcUser(member, registration.Nick, registration.User, registration.RealName, Now);
        _users.Add(member.Id, user);
        _byNick.Add(user.Nick, user);
        _mostUsers = Math.Max(_mostUsers, _users.Count);
        Control(member, member.SendNick(user.Nick));
        Welcome(user);
        s_log.Info($"{user.Prefix} registered: connection {member.Id}, served by worker process {member.WorkerProcessId} (supervisor {_supervisorProcessId})");
    }

    private void Welcome(IrcUser user)
    {
        Numeric(user, IrcNumeric.RPL_WELCOME, $"Welcome to the ChatFork IRC network, {user.Prefix}");
        Numeric(user, IrcNumeric.RPL_YOURHOST,
            $"Your host is {Server}, running version {_version}; you are served by worker process {user.Member.WorkerProcessId} (supervisor {_supervisorProcessId})");
        Numeric(user, IrcNumeric.RPL_CREATED,
            $"This server was created {_createdAt:yyyy-MM-dd HH:mm:ss} UTC by supervisor process {_supervisorProcessId}; your worker process is {user.Member.WorkerProcessId}");
        Send(user, IrcLine.Build(Server, IrcNumeric.RPL_MYINFO, user.Nick, Server, _version, "i", "nt", "o"));
        ISupport(user);
        Lusers(user);
        Motd(user);
    }

    private void Command(IrcUser user, IrcCommandMessage command)
    {
        var p = command.Params;
        switch (command.Verb)
        {
            case IrcVerb.Nick:
                ChangeNick(user, p[0]);
                break;
            case IrcVerb.Join:
                Join(user, p[0]);
                break;
            case IrcVerb.Part:
                Part(user, p[0], p.Count > 1 ? p[1] : null);
                break;
            case IrcVerb.Topic:
                Topic(user, p);
                break;
            case IrcVerb.Names:
                Names(user, p);
                break;
            case IrcVerb.List:
                List(user, p);
                break;
            case IrcVerb.Kick:
                Kick(user, p);
                break;
            case IrcVerb.Mode:
                Mode(user, p);
                break;
            case IrcVerb.Privmsg or IrcVerb.Notice:
                Message(user, command.Verb, p[0], p[1]);
                break;
            case IrcVerb.Away:
                Away(user, p.Count > 0 ? p[0] : "");
                break;
            case IrcVerb.Who:
                Who(user, p.Count > 0 ? p[0] : "*");
                break;
            case IrcVerb.Whois:
                Whois(user, p[^1]);
                break;
            case IrcVerb.Ison:
                Ison(user, p);
                break;
            case IrcVerb.Userhost:
                Userhost(user, p);
                break;
            case IrcVerb.Lusers:
                Lusers(user);
                break;
            case IrcVerb.Motd:
                Motd(user);
                break;
            case IrcVerb.Version:
                Numeric(user, IrcNumeric.RPL_VERSION, _version, Server, "ChatFork IRC mode: a worker process per client");
                ISupport(user);
                break;
            case IrcVerb.Time:
                Numeric(user, IrcNumeric.RPL_TIME, Server, _clock().ToString("dddd MMMM dd yyyy -- HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }

    private void Left(long id, string reason)
    {
        if (!_users.Remove(id, out var user))
        {
            return; // never registered
        }

        _byNick.Remove(user.Nick);
        SendToPeers(user, IrcLine.BuildTrailing(user.Prefix, "QUIT", reason), includeSelf: false);
        foreach (var channel in user.Channels.ToList())
        {
            RemoveMember(channel, user);
        }

        s_log.Info($"{user.Prefix} quit ({reason})");
    }

    private static bool PasswordMatches(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    // ---- delivery ----

    private void Numeric(IrcUser user, string numeric, params ReadOnlySpan<string> parameters) =>
        Send(user, IrcLine.Numeric(Server, numeric, user.Nick, parameters));

    private void Send(IrcUser user, string line)
    {
        if (!user.Dropped)
        {
            Deliver(user.Member, ++_sequence, Encoding.UTF8.GetBytes(line), user);
        }
    }

    private void Send(IIrcMember member, string line) => Deliver(member, ++_sequence, Encoding.UTF8.GetBytes(line), null);

    /// <summary>One line to every member of <paramref name="channel"/>, perhaps but one.</summary>
    private void SendToChannel(IrcChannel channel, string line, IrcUser? except = null)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        var sequence = ++_sequence;
        foreach (var member in channel.Members.Keys)
        {
            if (member != except && !member.Dropped)
            {
                Deliver(member.Member, sequence, bytes, member);
            }
        }
    }

    /// <summary>One line, once, to everyone who shares a channel with <paramref name="user"/> (NICK, QUIT).</summary>
    private void SendToPeers(IrcUser user, string line, bool includeSelf)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        var sequence = ++_sequence;
        var told = new HashSet<IrcUser>();
        if (includeSelf)
        {
            told.Add(user);
            Deliver(user.Member, sequence, bytes, user);
        }

        foreach (var channel in user.Channels)
        {
            foreach (var member in channel.Members.Keys)
            {
                if (member != user && !member.Dropped && told.Add(member))
                {
                    Deliver(member.Member, sequence, bytes, member);
                }
            }
        }
    }

    private void Deliver(IIrcMember member, long sequence, byte[] line, IrcUser? user)
    {
        if (user?.Dropped == true)
        {
            return;
        }

        Control(member, member.Deliver(sequence, line), user);
    }

    // After any queueing: a full queue means the worker is not reading its pipe; waiting would stall everyone.
    private void Control(IIrcMember member, bool queued, IrcUser? user = null)
    {
        if (!queued)
        {
            user ??= _users.GetValueOrDefault(member.Id);
            if (user is not null)
            {
                user.Dropped = true;
            }

            member.Drop("its worker fell behind on the pipe (--worker-queue)");
            return;
        }

        if (_dirtySet.Add(member))
        {
            _dirty.Add(member);
        }
    }
}

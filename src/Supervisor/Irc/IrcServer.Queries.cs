using System.Globalization;
using ChatFork.Irc;

namespace ChatFork.Supervisor.Irc;

// Who is where: WHO, WHOIS, ISON, USERHOST, LUSERS, MOTD, and the 005 ISUPPORT tokens (RFC 2812 3.4, 3.6, 4.8, 4.9).
internal sealed partial class IrcServer
{
    private const int MaxUserhostNicks = 5;

    private void Who(IrcUser asker, string mask)
    {
        if (IrcNames.LooksLikeChannel(mask))
        {
            if (_channels.TryGetValue(mask, out var channel))
            {
                foreach (var (member, op) in channel.Members)
                {
                    WhoReply(asker, member, channel.Name, op);
                }
            }
        }
        else
        {
            var all = mask is "*" or "0" or "";
            foreach (var user in _users.Values)
            {
                var exact = IrcCaseMapping.Comparer.Equals(user.Nick, mask);
                // +i hides a user from a WHO of everyone, but not from those who share a channel with it.
                var visible = !user.Invisible || user == asker || user.Channels.Any(c => c.Has(asker));
                if (exact || (visible && (all || Matches(mask, user))))
                {
                    var channel = user.Channels.FirstOrDefault();
                    WhoReply(asker, user, channel?.Name ?? "*", channel?.IsOperator(user) == true);
                }
            }
        }

        Numeric(asker, IrcNumeric.RPL_ENDOFWHO, mask.Length == 0 ? "*" : mask, "End of WHO list");
    }

    // 352 <client> <channel> <user> <host> <server> <nick> <H|G>[@] :<hopcount> <realname>
    private void WhoReply(IrcUser asker, IrcUser user, string channel, bool op) =>
        Numeric(asker, IrcNumeric.RPL_WHOREPLY, channel, user.User, user.Host, Server, user.Nick,
            (user.Away is null ? "H" : "G") + (op ? "@" : ""), $"0 {user.RealName}");

    private void Whois(IrcUser asker, string nicks)
    {
        // WHOIS [server] nick: the last parameter names the nick; TARGMAX WHOIS:1.
        var nick = nicks.Split(',')[0];
        if (!_byNick.TryGetValue(nick, out var user))
        {
            Numeric(asker, IrcNumeric.ERR_NOSUCHNICK, nick, "No such nick/channel");
            Numeric(asker, IrcNumeric.RPL_ENDOFWHOIS, nick, "End of /WHOIS list");
            return;
        }

        Numeric(asker, IrcNumeric.RPL_WHOISUSER, user.Nick, user.User, user.Host, "*", user.RealName);
        if (user.Channels.Count > 0)
        {
            Numeric(asker, IrcNumeric.RPL_WHOISCHANNELS, user.Nick,
                string.Join(' ', user.Channels.Select(c => (c.IsOperator(user) ? "@" : "") + c.Name)));
        }

        // The server a client is on, in ChatFork's terms: the worker process that serves it, and its supervisor.
        Numeric(asker, IrcNumeric.RPL_WHOISSERVER, user.Nick, Server,
            $"ChatFork worker process {user.Member.WorkerProcessId} (supervisor {_supervisorProcessId})");
        if (user.Away is { } away)
        {
            Numeric(asker, IrcNumeric.RPL_AWAY, user.Nick, away);
        }

        Numeric(asker, IrcNumeric.RPL_WHOISIDLE, user.Nick, Math.Max(0, Now - user.LastSpokeUnix).ToString(CultureInfo.InvariantCulture),
            user.SignOnUnix.ToString(CultureInfo.InvariantCulture), "seconds idle, signon time");
        Numeric(asker, IrcNumeric.RPL_ENDOFWHOIS, user.Nick, "End of /WHOIS list");
    }

    private void Ison(IrcUser asker, IReadOnlyList<string> p)
    {
        var online = p.SelectMany(n => n.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(n => _byNick.GetValueOrDefault(n)?.Nick)
            .OfType<string>();
        Numeric(asker, IrcNumeric.RPL_ISON, string.Join(' ', online));
    }

    private void Userhost(IrcUser asker, IReadOnlyList<string> p)
    {
        var replies = p.SelectMany(n => n.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Take(MaxUserhostNicks)
            .Select(n => _byNick.GetValueOrDefault(n))
            .OfType<IrcUser>()
            .Select(u => $"{u.Nick}={(u.Away is null ? '+' : '-')}{u.User}@{u.Host}");
        Numeric(asker, IrcNumeric.RPL_USERHOST, string.Join(' ', replies));
    }

    private void Lusers(IrcUser user)
    {
        var invisible = _users.Values.Count(u => u.Invisible);
        var total = _users.Count.ToString(CultureInfo.InvariantCulture);
        var most = _mostUsers.ToString(CultureInfo.InvariantCulture);
        Numeric(user, IrcNumeric.RPL_LUSERCLIENT, $"There are {_users.Count - invisible} users and {invisible} invisible on 1 servers");
        Numeric(user, IrcNumeric.RPL_LUSEROP, "0", "operator(s) online");
        Numeric(user, IrcNumeric.RPL_LUSERCHANNELS, _channels.Count.ToString(CultureInfo.InvariantCulture), "channels formed");
        Numeric(user, IrcNumeric.RPL_LUSERME, $"I have {_users.Count} clients and 0 servers");
        Numeric(user, IrcNumeric.RPL_LOCALUSERS, total, most, $"Current local users {total}, max {most}");
        Numeric(user, IrcNumeric.RPL_GLOBALUSERS, total, most, $"Current global users {total}, max {most}");
    }

    private void Motd(IrcUser user)
    {
        Numeric(user, IrcNumeric.RPL_MOTDSTART, $"- {Server} Message of the day - ");
        foreach (var line in new[]
        {
            "ChatFork serves every client in a process of its own, as a fork()ing Unix server does.",
            $"You are served by worker process {user.Member.WorkerProcessId}; the supervisor is process {_supervisorProcessId}.",
            "/whois NICK tells which worker process serves anyone (the server line, 312).",
        })
        {
            Numeric(user, IrcNumeric.RPL_MOTD, "- " + line);
        }

        Numeric(user, IrcNumeric.RPL_ENDOFMOTD, "End of /MOTD command.");
    }

    private void ISupport(IrcUser user)
    {
        string[] tokens =
        [
            $"AWAYLEN={AwayLength}", $"CASEMAPPING={IrcCaseMapping.Name}", $"CHANLIMIT=#:{_settings.MaxChannelsPerClient}",
            "CHANMODES=,,,nt", $"CHANNELLEN={IrcNames.ChannelLength}", "CHANTYPES=#", $"KICKLEN={KickLength}",
            $"MAXTARGETS={MaxTargets}", $"MODES={MaxModeParams}", "NETWORK=ChatFork", $"NICKLEN={IrcNames.NickLength}",
            "PREFIX=(o)@", $"TARGMAX=JOIN:,KICK:4,NAMES:1,NOTICE:{MaxTargets},PART:,PRIVMSG:{MaxTargets},WHOIS:1",
            $"TOPICLEN={TopicLength}", $"USERLEN={IrcNames.UserLength}", "UTF8ONLY",
        ];
        // At most 13 tokens a line, so that each 005 stays well within the 15 parameters a message may have.
        foreach (var chunk in tokens.Chunk(13))
        {
            Numeric(user, IrcNumeric.RPL_ISUPPORT, [.. chunk, "are supported by this server"]);
        }
    }

    // A WHO mask: * and ? wildcards, matched against the nick, the user, the host and the real name.
    private static bool Matches(string mask, IrcUser user) =>
        Glob(mask, user.Nick) || Glob(mask, user.User) || Glob(mask, user.Host) || Glob(mask, user.RealName) || Glob(mask, user.Prefix);

    private static bool Glob(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || IrcCaseMapping.Fold(pattern[p]) == IrcCaseMapping.Fold(text[t])))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}

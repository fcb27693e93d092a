using ChatFork.Irc;

namespace ChatFork.Supervisor.Irc;

// Users and messages: NICK, PRIVMSG, NOTICE, AWAY (RFC 2812 3.1.2, 3.3, 4.1).
internal sealed partial class IrcServer
{
    private const int AwayLength = 200;
    private const int MaxTargets = 4;

    private void ChangeNick(IrcUser user, string nick)
    {
        if (nick == user.Nick)
        {
            return;
        }

        if (_byNick.TryGetValue(nick, out var holder) && holder != user)
        {
            Numeric(user, IrcNumeric.ERR_NICKNAMEINUSE, nick, "Nickname is already in use");
            return;
        }

        var old = user.Prefix;
        SendToPeers(user, IrcLine.Build(old, "NICK", nick), includeSelf: true);
        _byNick.Remove(user.Nick);
        var oldNick = user.Nick;
        user.Nick = nick;
        _byNick.Add(nick, user);
        Control(user.Member, user.Member.SendNick(nick), user);
        s_log.Info($"{oldNick} is now known as {nick} (worker {user.Member.WorkerProcessId})");
    }

    private void Message(IrcUser user, IrcVerb verb, string targets, string text)
    {
        var command = IrcVerbs.Name(verb);
        // RFC 2812 3.3.2: a NOTICE never causes an automatic reply, errors included.
        var replies = verb == IrcVerb.Privmsg;
        user.LastSpokeUnix = Now;
        var names = targets.Split(',', StringSplitOptions.RemoveEmptyEntries).Distinct(IrcCaseMapping.Comparer).ToList();
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (i >= MaxTargets)
            {
                if (replies)
                {
                    Numeric(user, IrcNumeric.ERR_TOOMANYTARGETS, name, $"Too many recipients (at most {MaxTargets})");
                }

                continue;
            }

            if (IrcNames.LooksLikeChannel(name))
            {
                if (!_channels.TryGetValue(name, out var channel))
                {
                    if (replies)
                    {
                        Numeric(user, IrcNumeric.ERR_NOSUCHNICK, name, "No such nick/channel");
                    }

                    continue;
                }

                if (channel.NoExternalMessages && !channel.Has(user))
                {
                    if (replies)
                    {
                        Numeric(user, IrcNumeric.ERR_CANNOTSENDTOCHAN, channel.Name, "Cannot send to channel");
                    }

                    continue;
                }

                // Not echoed to the sender: without the echo-message capability a client shows its own line itself.
                SendToChannel(channel, IrcLine.BuildTrailing(user.Prefix, command, channel.Name, text), except: user);
                continue;
            }

            if (!_byNick.TryGetValue(name, out var target))
            {
                if (replies)
                {
                    Numeric(user, IrcNumeric.ERR_NOSUCHNICK, name, "No such nick/channel");
                }

                continue;
            }

            Send(target, IrcLine.BuildTrailing(user.Prefix, command, target.Nick, text));
            if (replies && target.Away is { } away)
            {
                Numeric(user, IrcNumeric.RPL_AWAY, target.Nick, away);
            }
        }
    }

    private void Away(IrcUser user, string message)
    {
        if (message.Length == 0)
        {
            user.Away = null;
            Numeric(user, IrcNumeric.RPL_UNAWAY, "You are no longer marked as being away");
        }
        else
        {
            user.Away = Cut(message, AwayLength);
            Numeric(user, IrcNumeric.RPL_NOWAWAY, "You have been marked as being away");
        }
    }
}

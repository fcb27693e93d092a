using System.Text;
using ChatFork.Irc;

namespace ChatFork.Supervisor.Irc;

// Channels: JOIN, PART, TOPIC, NAMES, LIST, KICK, MODE (RFC 2812 3.2, Modern IRC "Channel Operations").
internal sealed partial class IrcServer
{
    private const int TopicLength = 390;
    private const int KickLength = 390;
    private const int MaxModeParams = 3;

    private void Join(IrcUser user, string channels)
    {
        if (channels == "0")
        {
            // RFC 2812 3.2.1: JOIN 0 leaves every channel.
            foreach (var channel in user.Channels.ToList())
            {
                SendToChannel(channel, IrcLine.Build(user.Prefix, "PART", channel.Name));
                RemoveMember(channel, user);
            }

            return;
        }

        foreach (var name in channels.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!IrcNames.LooksLikeChannel(name))
            {
                Numeric(user, IrcNumeric.ERR_NOSUCHCHANNEL, name, "No such channel");
                continue;
            }

            if (!IrcNames.IsValidChannel(name))
            {
                Numeric(user, IrcNumeric.ERR_BADCHANMASK, name, "Bad Channel Mask");
                continue;
            }

            _channels.TryGetValue(name, out var channel);
            if (channel is not null && channel.Has(user))
            {
                continue; // joined already: nothing happens, as on every server
            }

            if (user.Channels.Count >= _settings.MaxChannelsPerClient)
            {
                Numeric(user, IrcNumeric.ERR_TOOMANYCHANNELS, name, $"You have joined too many channels (at most {_settings.MaxChannelsPerClient})");
                continue;
            }

            if (channel is null && _channels.Count >= _settings.MaxChannels)
            {
                Numeric(user, IrcNumeric.ERR_TOOMANYCHANNELS, name, $"Cannot create {name}: the server already holds its limit of {_settings.MaxChannels} channels");
                s_log.Warn($"{user.Nick} could not create {name}: {_settings.MaxChannels} channels exist (--max-channels-total)");
                continue;
            }

            var created = channel is null;
            if (channel is null)
            {
                channel = new IrcChannel(name, Now);
                _channels.Add(name, channel);
            }

            // The first member of a new channel is its operator (RFC 2812 3.2.1; Modern IRC "JOIN").
            channel.Members.Add(user, created);
            user.Channels.Add(channel);
            SendToChannel(channel, IrcLine.Build(user.Prefix, "JOIN", channel.Name));
            if (channel.Topic is not null)
            {
                SendTopic(user, channel);
            }

            SendNames(user, channel);
            Numeric(user, IrcNumeric.RPL_ENDOFNAMES, channel.Name, "End of /NAMES list");
            if (created)
            {
                s_log.Debug($"{user.Nick} created {channel.Name}");
            }
        }
    }

    private void Part(IrcUser user, string channels, string? reason)
    {
        foreach (var name in channels.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!_channels.TryGetValue(name, out var channel))
            {
                Numeric(user, IrcNumeric.ERR_NOSUCHCHANNEL, name, "No such channel");
                continue;
            }

            if (!channel.Has(user))
            {
                Numeric(user, IrcNumeric.ERR_NOTONCHANNEL, channel.Name, "You're not on that channel");
                continue;
            }

            SendToChannel(channel, string.IsNullOrEmpty(reason)
                ? IrcLine.Build(user.Prefix, "PART", channel.Name)
                : IrcLine.BuildTrailing(user.Prefix, "PART", channel.Name, reason));
            RemoveMember(channel, user);
        }
    }

    private void Topic(IrcUser user, IReadOnlyList<string> p)
    {
        if (!_channels.TryGetValue(p[0], out var channel))
        {
            Numeric(user, IrcNumeric.ERR_NOSUCHCHANNEL, p[0], "No such channel");
            return;
        }

        if (p.Count == 1)
        {
            if (channel.Topic is null)
            {
                Numeric(user, IrcNumeric.RPL_NOTOPIC, channel.Name, "No topic is set");
            }
            else
            {
                SendTopic(user, channel);
            }

            return;
        }

        if (!channel.Has(user))
        {
            Numeric(user, IrcNumeric.ERR_NOTONCHANNEL, channel.Name, "You're not on that channel");
            return;
        }

        if (channel.TopicLocked && !channel.IsOperator(user))
        {
            Numeric(user, IrcNumeric.ERR_CHANOPRIVSNEEDED, channel.Name, "You're not channel operator");
            return;
        }

        var topic = Cut(p[1], TopicLength);
        channel.Topic = topic.Length == 0 ? null : topic;
        channel.TopicSetBy = user.Prefix;
        channel.TopicSetUnix = Now;
        SendToChannel(channel, IrcLine.BuildTrailing(user.Prefix, "TOPIC", channel.Name, topic));
    }

    private void Names(IrcUser user, IReadOnlyList<string> p)
    {
        if (p.Count == 0 || p[0].Length == 0)
        {
            foreach (var channel in _channels.Values)
            {
                SendNames(user, channel);
            }

            Numeric(user, IrcNumeric.RPL_ENDOFNAMES, "*", "End of /NAMES list");
            return;
        }

        // TARGMAX NAMES:1 — the first channel only, as 005 says.
        var name = p[0].Split(',')[0];
        if (_channels.TryGetValue(name, out var named))
        {
            SendNames(user, named);
            name = named.Name;
        }

        Numeric(user, IrcNumeric.RPL_ENDOFNAMES, name, "End of /NAMES list");
    }

    private void List(IrcUser user, IReadOnlyList<string> p)
    {
        Numeric(user, IrcNumeric.RPL_LISTSTART, "Channel", "Users  Name");
        var channels = p.Count > 0 && p[0].Length > 0
            ? p[0].Split(',').Select(n => _channels.GetValueOrDefault(n)).OfType<IrcChannel>()
            : _channels.Values;
        foreach (var channel in channels)
        {
            Numeric(user, IrcNumeric.RPL_LIST, channel.Name, channel.Members.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"[{channel.Modes}] {channel.Topic}".TrimEnd());
        }

        Numeric(user, IrcNumeric.RPL_LISTEND, "End of /LIST");
    }

    private void Kick(IrcUser user, IReadOnlyList<string> p)
    {
        if (!_channels.TryGetValue(p[0], out var channel))
        {
            Numeric(user, IrcNumeric.ERR_NOSUCHCHANNEL, p[0], "No such channel");
            return;
        }

        if (!channel.Has(user))
        {
            Numeric(user, IrcNumeric.ERR_NOTONCHANNEL, channel.Name, "You're not on that channel");
            return;
        }

        if (!channel.IsOperator(user))
        {
            Numeric(user, IrcNumeric.ERR_CHANOPRIVSNEEDED, channel.Name, "You're not channel operator");
            return;
        }

        var comment = Cut(p.Count > 2 && p[2].Length > 0 ? p[2] : user.Nick, KickLength);
        foreach (var nick in p[1].Split(',', StringSplitOptions.RemoveEmptyEntries).Take(4))
        {
            if (!_byNick.TryGetValue(nick, out var victim))
            {
                Numeric(user, IrcNumeric.ERR_NOSUCHNICK, nick, "No such nick/channel");
                continue;
            }

            if (!channel.Has(victim))
            {
                Numeric(user, IrcNumeric.ERR_USERNOTINCHANNEL, victim.Nick, channel.Name, "They aren't on that channel");
                continue;
            }

            SendToChannel(channel, IrcLine.BuildTrailing(user.Prefix, "KICK", channel.Name, victim.Nick, comment));
            RemoveMember(channel, victim);
            s_log.Info($"{user.Nick} kicked {victim.Nick} from {channel.Name} ({comment})");
            if (!_channels.ContainsKey(channel.Name))
            {
                break; // the last one left; the channel is gone
            }
        }
    }

    private void Mode(IrcUser user, IReadOnlyList<string> p)
    {
        if (IrcNames.LooksLikeChannel(p[0]))
        {
            if (!_channels.TryGetValue(p[0], out var channel))
            {
                Numeric(user, IrcNumeric.ERR_NOSUCHCHANNEL, p[0], "No such channel");
            }
            else if (p.Count == 1)
            {
                Numeric(user, IrcNumeric.RPL_CHANNELMODEIS, channel.Name, channel.Modes);
                Numeric(user, IrcNumeric.RPL_CREATIONTIME, channel.Name, channel.CreatedUnix.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                ChannelMode(user, channel, p[1], p.Skip(2).ToList());
            }

            return;
        }

        if (!_byNick.TryGetValue(p[0], out var target))
        {
            Numeric(user, IrcNumeric.ERR_NOSUCHNICK, p[0], "No such nick/channel");
        }
        else if (target != user)
        {
            Numeric(user, IrcNumeric.ERR_USERSDONTMATCH, "Cant change mode for other users");
        }
        else if (p.Count == 1)
        {
            Numeric(user, IrcNumeric.RPL_UMODEIS, user.Invisible ? "+i" : "+");
        }
        else
        {
            UserMode(user, p[1]);
        }
    }

    private void ChannelMode(IrcUser user, IrcChannel channel, string modes, List<string> args)
    {
        // "MODE #chan b" (or +b) with no mask asks for the ban list, which clients do on join; there are no bans.
        if (modes.Trim('+', '-').Length > 0 && modes.Trim('+', '-').All(c => c == 'b') && args.Count == 0)
        {
            Numeric(user, IrcNumeric.RPL_ENDOFBANLIST, channel.Name, "End of channel ban list");
            return;
        }

        if (!channel.IsOperator(user))
        {
            Numeric(user, IrcNumeric.ERR_CHANOPRIVSNEEDED, channel.Name, "You're not channel operator");
            return;
        }

        var applied = new StringBuilder();
        var appliedArgs = new List<string>();
        var appliedSign = ' ';
        var adding = true;
        var next = 0;
        var withParam = 0;
        void Applied(bool add, char mode, string? arg)
        {
            var sign = add ? '+' : '-';
            if (sign != appliedSign)
            {
                applied.Append(sign);
                appliedSign = sign;
            }

            applied.Append(mode);
            if (arg is not null)
            {
                appliedArgs.Add(arg);
            }
        }

        foreach (var c in modes)
        {
            switch (c)
            {
                case '+' or '-':
                    adding = c == '+';
                    break;
                case 't':
                    if (channel.TopicLocked != adding)
                    {
                        channel.TopicLocked = adding;
                        Applied(adding, 't', null);
                    }

                    break;
                case 'n':
                    if (channel.NoExternalMessages != adding)
                    {
                        channel.NoExternalMessages = adding;
                        Applied(adding, 'n', null);
                    }

                    break;
                case 'o':
                    if (next >= args.Count || ++withParam > MaxModeParams)
                    {
                        break; // no nick given (or past MODES=3): ignored, as servers do
                    }

                    var nick = args[next++];
                    if (!_byNick.TryGetValue(nick, out var target))
                    {
                        Numeric(user, IrcNumeric.ERR_NOSUCHNICK, nick, "No such nick/channel");
                    }
                    else if (!channel.Has(target))
                    {
                        Numeric(user, IrcNumeric.ERR_USERNOTINCHANNEL, target.Nick, channel.Name, "They aren't on that channel");
                    }
                    else if (channel.Members[target] != adding)
                    {
                        channel.Members[target] = adding;
                        Applied(adding, 'o', target.Nick);
                    }

                    break;
                default:
                    Numeric(user, IrcNumeric.ERR_UNKNOWNMODE, c.ToString(), $"is unknown mode char to me for {channel.Name}");
                    break;
            }
        }

        if (applied.Length > 0)
        {
            appliedArgs.Insert(0, applied.ToString());
            appliedArgs.Insert(0, channel.Name);
            SendToChannel(channel, IrcLine.Build(user.Prefix, "MODE", [.. appliedArgs]));
        }
    }

    private void UserMode(IrcUser user, string modes)
    {
        var adding = true;
        var unknown = false;
        var changed = new StringBuilder();
        foreach (var c in modes)
        {
            switch (c)
            {
                case '+' or '-':
                    adding = c == '+';
                    break;
                case 'i':
                    if (user.Invisible != adding)
                    {
                        user.Invisible = adding;
                        changed.Append(adding ? "+i" : "-i");
                    }

                    break;
                default:
                    unknown = true;
                    break;
            }
        }

        if (unknown)
        {
            Numeric(user, IrcNumeric.ERR_UMODEUNKNOWNFLAG, "Unknown MODE flag");
        }

        if (changed.Length > 0)
        {
            Send(user, IrcLine.BuildTrailing(user.Prefix, "MODE", user.Nick, changed.ToString()));
        }
    }

    private void SendTopic(IrcUser user, IrcChannel channel)
    {
        Numeric(user, IrcNumeric.RPL_TOPIC, channel.Name, channel.Topic!);
        Send(user, IrcLine.Build(Server, IrcNumeric.RPL_TOPICWHOTIME, user.Nick, channel.Name, channel.TopicSetBy,
            channel.TopicSetUnix.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    // 353 lines, as many as it takes to keep each within 512 bytes.
    private void SendNames(IrcUser user, IrcChannel channel)
    {
        var head = $":{Server} {IrcNumeric.RPL_NAMREPLY} {user.Nick} = {channel.Name} :";
        var line = new StringBuilder(head);
        var any = false;
        foreach (var (member, op) in channel.Members)
        {
            var entry = (op ? "@" : "") + member.Nick;
            if (any && Encoding.UTF8.GetByteCount(line.ToString()) + 1 + entry.Length > IrcLineLimit.MaxContentBytes)
            {
                Send(user, line.ToString());
                line.Clear().Append(head);
                any = false;
            }

            if (any)
            {
                line.Append(' ');
            }

            line.Append(entry);
            any = true;
        }

        if (any)
        {
            Send(user, line.ToString());
        }
    }

    private void RemoveMember(IrcChannel channel, IrcUser user)
    {
        channel.Members.Remove(user);
        user.Channels.Remove(channel);
        if (channel.Members.Count == 0)
        {
            _channels.Remove(channel.Name);
            s_log.Debug($"{channel.Name} is empty and gone");
        }
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max];
}

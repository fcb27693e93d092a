namespace ChatFork.Irc;

// The RFCs' own names (RPL_WELCOME, ERR_NOSUCHNICK), so that each can be looked up in them as spelled.
#pragma warning disable CA1707

/// <summary>The numeric replies ChatFork sends, named as in RFC 1459/2812 and the Modern IRC documents.</summary>
internal static class IrcNumeric
{
    public const string RPL_WELCOME = "001";
    public const string RPL_YOURHOST = "002";
    public const string RPL_CREATED = "003";
    public const string RPL_MYINFO = "004";
    public const string RPL_ISUPPORT = "005";
    public const string RPL_UMODEIS = "221";
    public const string RPL_LUSERCLIENT = "251";
    public const string RPL_LUSEROP = "252";
    public const string RPL_LUSERCHANNELS = "254";
    public const string RPL_LUSERME = "255";
    public const string RPL_LOCALUSERS = "265";
    public const string RPL_GLOBALUSERS = "266";
    public const string RPL_AWAY = "301";
    public const string RPL_USERHOST = "302";
    public const string RPL_ISON = "303";
    public const string RPL_UNAWAY = "305";
    public const string RPL_NOWAWAY = "306";
    public const string RPL_WHOISUSER = "311";
    public const string RPL_WHOISSERVER = "312";
    public const string RPL_ENDOFWHO = "315";
    public const string RPL_WHOISIDLE = "317";
    public const string RPL_ENDOFWHOIS = "318";
    public const string RPL_WHOISCHANNELS = "319";
    public const string RPL_LISTSTART = "321";
    public const string RPL_LIST = "322";
    public const string RPL_LISTEND = "323";
    public const string RPL_CHANNELMODEIS = "324";
    public const string RPL_CREATIONTIME = "329";
    public const string RPL_NOTOPIC = "331";
    public const string RPL_TOPIC = "332";
    public const string RPL_TOPICWHOTIME = "333";
    public const string RPL_VERSION = "351";
    public const string RPL_WHOREPLY = "352";
    public const string RPL_NAMREPLY = "353";
    public const string RPL_ENDOFNAMES = "366";
    public const string RPL_ENDOFBANLIST = "368";
    public const string RPL_ENDOFWHOWAS = "369";
    public const string RPL_MOTD = "372";
    public const string RPL_MOTDSTART = "375";
    public const string RPL_ENDOFMOTD = "376";
    public const string RPL_TIME = "391";
    public const string ERR_NOSUCHNICK = "401";
    public const string ERR_NOSUCHSERVER = "402";
    public const string ERR_NOSUCHCHANNEL = "403";
    public const string ERR_CANNOTSENDTOCHAN = "404";
    public const string ERR_TOOMANYCHANNELS = "405";
    public const string ERR_WASNOSUCHNICK = "406";
    public const string ERR_TOOMANYTARGETS = "407";
    public const string ERR_NOORIGIN = "409";
    public const string ERR_INVALIDCAPCMD = "410";
    public const string ERR_NORECIPIENT = "411";
    public const string ERR_NOTEXTTOSEND = "412";
    public const string ERR_INPUTTOOLONG = "417";
    public const string ERR_UNKNOWNCOMMAND = "421";
    public const string ERR_NONICKNAMEGIVEN = "431";
    public const string ERR_ERRONEUSNICKNAME = "432";
    public const string ERR_NICKNAMEINUSE = "433";
    public const string ERR_USERNOTINCHANNEL = "441";
    public const string ERR_NOTONCHANNEL = "442";
    public const string ERR_NOTREGISTERED = "451";
    public const string ERR_NEEDMOREPARAMS = "461";
    public const string ERR_ALREADYREGISTERED = "462";
    public const string ERR_PASSWDMISMATCH = "464";
    public const string ERR_UNKNOWNMODE = "472";
    public const string ERR_BADCHANMASK = "476";
    public const string ERR_NOPRIVILEGES = "481";
    public const string ERR_CHANOPRIVSNEEDED = "482";
    public const string ERR_NOOPERHOST = "491";
    public const string ERR_UMODEUNKNOWNFLAG = "501";
    public const string ERR_USERSDONTMATCH = "502";
}

namespace ChatFork.Supervisor;

/// <summary>What clients speak to the server (<c>--protocol</c>). One per server process: see docs/irc.md.</summary>
public enum ClientProtocol
{
    /// <summary>ChatFork's own line protocol, for nc and telnet: one room, /commands.</summary>
    Text,
    /// <summary>IRC (RFC 1459/2812, Modern IRC): channels, for irssi, WeeChat, HexChat.</summary>
    Irc,
}

using System.Globalization;

namespace ChatFork.Supervisor.Cluster;

/// <summary>One nick's claim in Redis (the nicks hash): who holds it, on which server, served by which worker.</summary>
internal sealed record MemberRecord(
    string Node, string Incarnation, long MemberId, string Nick, string ServedBy, string Peer, DateTimeOffset JoinedAt)
{
    /// <summary>The record as the scripts write it (tab-separated, seven fields); null for anything else.</summary>
    public static MemberRecord? Parse(string? text)
    {
        var f = text?.Split('\t');
        if (f is not { Length: 7 } || !long.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var member) ||
            !long.TryParse(f[6], NumberStyles.Integer, CultureInfo.InvariantCulture, out var joined))
        {
            return null;
        }

        return new MemberRecord(f[0], f[1], member, f[3], f[4], f[5], DateTimeOffset.FromUnixTimeSeconds(joined).ToLocalTime());
    }

    /// <summary>A record field must hold no tab (the separator); peers and worker names never do, but be sure.</summary>
    public static string Field(string text) => text.Replace('\t', ' ');
}

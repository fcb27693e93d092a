namespace ChatFork.Supervisor.Room;

/// <summary>One member as the room keeps it: its nick, since when it is here, and the room's marks on it.</summary>
internal sealed class Occupant
{
    public Occupant(IRoomMember output, string nick)
    {
        Output = output;
        Nick = nick;
        JoinedAt = DateTimeOffset.Now;
    }

    public IRoomMember Output { get; }

    public string Nick { get; private set; }

    public DateTimeOffset JoinedAt { get; }

    /// <summary>Written to since the last flush (it is in the room's list of members to flush).</summary>
    public bool Dirty { get; set; }

    /// <summary>Cut off because its queue was full: nothing more is delivered to it until its leave arrives.</summary>
    public bool Dropped { get; set; }

    public void Rename(string nick) => Nick = nick;
}

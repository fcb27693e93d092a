namespace ChatFork.Supervisor.Lab;

/// <summary>One in-process session, for /ps: its connection, the OS thread serving it (thread model), since when.</summary>
internal sealed record SessionInfo(long Id, int? ThreadId, string Peer, DateTimeOffset Since);

namespace ChatFork.Bench.Servers;

/// <summary>The servers the bench knows how to start.</summary>
internal enum ServerKind
{
    ChatFork,
    Socat,
    Ncat,

    /// <summary>Already running, reached with --target; the bench neither starts nor stops it.</summary>
    External,
}

namespace ChatFork.Supervisor;

/// <summary>How the chat room's lines reach the workers (<c>--fanout</c>).</summary>
public enum FanoutMode
{
    /// <summary>Each line down every worker's pipe, one write per worker.</summary>
    Pipe,

    /// <summary>Each line once into a ring in shared memory that every worker reads; a doorbell wakes the sleepers.</summary>
    Shm,
}

namespace ChatFork.Worker;

/// <summary>What a worker does with its client's lines.</summary>
internal enum WorkerMode
{
    /// <summary>Lines go to the supervisor's room and come back from the others.</summary>
    Chat,
    /// <summary>The classic TCP echo server: each line goes straight back to its sender.</summary>
    Echo,
}

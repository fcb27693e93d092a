namespace ChatFork.Supervisor;

/// <summary>What the server does with a connection.</summary>
public enum ServerMode
{
    /// <summary>A chat room: every line goes to the others.</summary>
    Chat,
    /// <summary>The classic TCP echo server: every line goes back to its sender.</summary>
    Echo,
}

namespace ChatFork.Bench.Servers;

/// <summary>What a server does with a line: send it back to its sender, or relay it to every other client.</summary>
internal enum ServerMode
{
    Echo,
    Chat,
}

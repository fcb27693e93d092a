namespace ChatFork.Text;

/// <summary>What a line the client typed asks for.</summary>
public enum ChatCommandKind
{
    /// <summary>Nothing (an empty or blank line); ignored.</summary>
    Empty,
    /// <summary>A plain line for the room.</summary>
    Say,
    /// <summary><c>/me text</c></summary>
    Me,
    /// <summary><c>/nick NAME</c></summary>
    Nick,
    /// <summary><c>/msg NICK text</c></summary>
    Msg,
    /// <summary><c>/who</c></summary>
    Who,
    /// <summary><c>/ps</c></summary>
    Ps,
    /// <summary><c>/quit [reason]</c></summary>
    Quit,
    /// <summary><c>/help</c></summary>
    Help,
    /// <summary><c>/crash</c>: the lab's demonstration of crash isolation; refused unless the server enables it.</summary>
    Crash,
    /// <summary>A known command used the wrong way; <see cref="ChatCommand.Text"/> holds its usage.</summary>
    Usage,
    /// <summary>A command that does not exist; <see cref="ChatCommand.Argument"/> holds its name.</summary>
    Unknown,
}

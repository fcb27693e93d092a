namespace ChatFork.Supervisor.Room;

/// <summary>Renders the <c>/ps</c> table. It reads /proc, so the room calls it off its own loop.</summary>
internal interface IProcessTable
{
    /// <param name="nicksByProcessId">Who each worker serves, as the room knew it when /ps was asked.</param>
    IReadOnlyList<string> Render(IReadOnlyDictionary<int, string> nicksByProcessId);
}

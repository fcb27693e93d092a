namespace ChatFork.Supervisor.Room;

/// <summary>Renders the <c>/ps</c> table. It reads /proc, so the room calls it off its own loop.</summary>
internal interface IProcessTable
{
    /// <param name="nicksByMemberId">Each member's nick (by connection id), as the room knew it when /ps was asked.</param>
    IReadOnlyList<string> Render(IReadOnlyDictionary<long, string> nicksByMemberId);
}

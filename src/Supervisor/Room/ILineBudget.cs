namespace ChatFork.Supervisor.Room;

/// <summary>Counts the bytes of chat lines on their way through the room (taken when a line is copied, returned when the room is done with it).</summary>
internal interface ILineBudget
{
    void Taken(int bytes);

    void Returned(int bytes);
}

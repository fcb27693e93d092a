namespace ChatFork.Bench.Net;

/// <summary>
/// Told of every data line a chat client receives from another bench client. Called on that receiver's read loop,
/// so calls for one receiver never overlap, while calls for different receivers may run at once.
/// </summary>
internal interface IChatListener
{
    void OnData(int receiver, int sender, int number, long timestamp);
}

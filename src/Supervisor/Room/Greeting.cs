namespace ChatFork.Supervisor.Room;

/// <summary>
/// The first line a chat client reads. It is written by whoever accepted the connection, before anything else can
/// be: in the process model, the supervisor itself, on the raw socket, just before the hand-off (so the client reads
/// it without waiting for its worker to wake up; the kernel keeps the byte order of one socket, and the worker's
/// lines follow). The room then says the nick and who else is here.
/// </summary>
internal static class Greeting
{
    public static string Welcome(string servedBy) => $"* welcome to chatfork: you are served by {servedBy}";
}

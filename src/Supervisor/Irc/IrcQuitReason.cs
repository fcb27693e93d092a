using ChatFork.Protocol;
using ChatFork.Supervisor.ProcessModel;

namespace ChatFork.Supervisor.Irc;

/// <summary>The QUIT message a worker's end reads as on IRC: "Quit: see you", "Ping timeout: 150 seconds", ...</summary>
internal static class IrcQuitReason
{
    public static string For(WorkerExit exit)
    {
        var slot = exit.Slot;
        var how = exit.How;
        if (slot.Life.KillReason is { } killed)
        {
            return $"Killed (worker {slot.ProcessId} {how}: {killed})";
        }

        if (slot.Life.Leaving is not { } leaving)
        {
            return $"Worker {slot.ProcessId} {how}";
        }

        return leaving.Reason switch
        {
            LeaveReason.Quit => leaving.Detail.Length == 0 ? "Client Quit" : $"Quit: {leaving.Detail}",
            LeaveReason.ClientClosed => "Remote host closed the connection",
            LeaveReason.TooSlow => "SendQ exceeded",
            LeaveReason.Shutdown => "Server shutting down",
            LeaveReason.LineTooLong => "Input line too long",
            _ => leaving.Detail.Length > 0 ? leaving.Detail : LeaveReasons.Describe(leaving.Reason),
        };
    }
}

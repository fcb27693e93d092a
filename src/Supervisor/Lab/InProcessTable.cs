using System.Globalization;
using ChatFork.Platform;
using ChatFork.Supervisor.Room;

namespace ChatFork.Supervisor.Lab;

/// <summary>
/// <c>/ps</c> for the thread and async models: one process, and in it one row per connection, with the OS thread
/// that serves it (thread model) and that thread's CPU time. Memory is the process's, shared by every connection.
/// </summary>
internal sealed class InProcessTable : IProcessTable
{
    private readonly Func<IReadOnlyList<SessionInfo>> _sessions;
    private readonly string _listening;
    private readonly string _model;
    private readonly DateTimeOffset _startedAt = DateTimeOffset.Now;

    public InProcessTable(Func<IReadOnlyList<SessionInfo>> sessions, string listening, string model)
    {
        _sessions = sessions;
        _listening = listening;
        _model = model;
    }

    public IReadOnlyList<string> Render(IReadOnlyDictionary<long, string> nicksByMemberId)
    {
        var now = DateTimeOffset.Now;
        var pid = Environment.ProcessId;
        var memory = ProcessMemory.Read(pid);
        var table = new PsTable("ID", "ROLE", "NICK", "UPTIME", "CPU", "CLIENT");
        table.Add($"pid {pid}", $"server ({_model} model)", "-", Formats.Uptime(now - _startedAt), "-", $"listening on {_listening}");

        foreach (var session in _sessions().OrderBy(s => s.Id))
        {
            var nick = nicksByMemberId.GetValueOrDefault(session.Id, "(joining)");
            table.Add(session.ThreadId is { } tid
                ? [$"tid {tid}", "thread", nick, Formats.Uptime(now - session.Since), CpuTime(pid, tid), session.Peer]
                : [$"conn {session.Id}", "task", nick, Formats.Uptime(now - session.Since), "-", session.Peer]);
        }

        var threads = Threads(pid);
        var size = memory is { } m ? $"{Formats.Mebibytes(m.Bytes)} {m.Kind}" : "?";
        return table.Render($"1 process, {threads} OS threads, {table.Count - 1} connections; the process holds {size} for all of them");
    }

    // utime + stime of one thread, from /proc/PID/task/TID/stat (in clock ticks, 100 per second on Linux).
    private static string CpuTime(int pid, int tid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/task/{tid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return string.Create(CultureInfo.InvariantCulture, $"{ticks / 100.0:0.00}s");
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return "?";
        }
    }

    private static string Threads(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Threads:", StringComparison.Ordinal));
            return line?[8..].Trim() ?? "?";
        }
        catch (IOException)
        {
            return "?";
        }
    }
}

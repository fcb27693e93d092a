using System.Globalization;
using System.Text;
using ChatFork.Platform;
using ChatFork.Supervisor.Room;

namespace ChatFork.Supervisor.ProcessModel;

/// <summary>
/// The <c>/ps</c> table: the supervisor and every worker, what each does, how long it has lived and how much memory
/// it holds. The point is to make the process model visible from inside the chat, the same picture
/// <c>ps -ef --forest</c> gives from outside.
/// </summary>
internal sealed class ProcessTable : IProcessTable
{
    private static readonly string[] s_header = ["PID", "ROLE", "NICK", "UPTIME", "MEMORY", "CLIENT"];

    private readonly WorkerRegistry _registry;
    private readonly string _listening;
    private readonly DateTimeOffset _startedAt = DateTimeOffset.Now;

    public ProcessTable(WorkerRegistry registry, string listening)
    {
        _registry = registry;
        _listening = listening;
    }

    public IReadOnlyList<string> Render(IReadOnlyDictionary<long, string> nicksByMemberId)
    {
        var now = DateTimeOffset.Now;
        var rows = new List<string[]> { s_header };
        string? memoryKind = null;

        var self = Environment.ProcessId;
        var selfMemory = ProcessMemory.Read(self);
        memoryKind ??= selfMemory?.Kind;
        rows.Add([self.ToString(CultureInfo.InvariantCulture), "supervisor", "-", Formats.Uptime(now - _startedAt), Memory(selfMemory), $"listening on {_listening}"]);

        foreach (var slot in _registry.Snapshot())
        {
            var memory = ProcessMemory.Read(slot.ProcessId);
            memoryKind ??= memory?.Kind;
            var connection = slot.Life.Connection;
            var nick = slot.Life.State switch
            {
                WorkerState.Starting => "(starting)",
                WorkerState.Idle => "(idle, pooled)",
                _ => connection is { } c ? nicksByMemberId.GetValueOrDefault(c.Id, "(joining)") : "(joining)",
            };
            rows.Add([
                slot.ProcessId.ToString(CultureInfo.InvariantCulture), "worker", nick, Formats.Uptime(now - slot.StartedAt),
                Memory(memory), connection?.PeerText ?? "-",
            ]);
        }

        var widths = Enumerable.Range(0, 6).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var lines = rows.Select(r =>
        {
            var line = new StringBuilder("* ");
            for (var c = 0; c < r.Length; c++)
            {
                line.Append(c == r.Length - 1 ? r[c] : r[c].PadRight(widths[c] + 2));
            }

            return line.ToString().TrimEnd();
        }).ToList();

        var explanation = memoryKind == "Pss"
            ? "MEMORY is Pss: each process's fair share of the pages it maps, from /proc/PID/smaps_rollup"
            : $"MEMORY is {memoryKind ?? "unknown"}";
        lines.Add($"* {rows.Count - 1} processes: 1 supervisor, {rows.Count - 2} workers; {explanation}");
        return lines;
    }

    private static string Memory(ProcessMemory? memory) => memory is { } m ? Formats.Mebibytes(m.Bytes) : "?";
}

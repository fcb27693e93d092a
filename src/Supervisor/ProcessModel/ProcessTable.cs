using System.Globalization;
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
    private readonly WorkerRegistry _registry;
    private readonly string _listening;
    private readonly DateTimeOffset _startedAt = DateTimeOffset.Now;
    private readonly int _reuse;

    /// <param name="reuse">--worker-reuse when workers are reused (a USES column shows each one's clients so far); else 0.</param>
    public ProcessTable(WorkerRegistry registry, string listening, int reuse = 0)
    {
        _registry = registry;
        _listening = listening;
        _reuse = reuse;
    }

    public IReadOnlyList<string> Render(IReadOnlyDictionary<long, string> nicksByMemberId)
    {
        var now = DateTimeOffset.Now;
        var table = _reuse > 0
            ? new PsTable("PID", "ROLE", "NICK", "UPTIME", "MEMORY", "USES", "CLIENT")
            : new PsTable("PID", "ROLE", "NICK", "UPTIME", "MEMORY", "CLIENT");
        string? memoryKind = null;

        var self = Environment.ProcessId;
        var selfMemory = ProcessMemory.Read(self);
        memoryKind ??= selfMemory?.Kind;
        table.Add(Row(self.ToString(CultureInfo.InvariantCulture), "supervisor", "-", Formats.Uptime(now - _startedAt), Memory(selfMemory), "-", $"listening on {_listening}"));

        foreach (var slot in _registry.Snapshot())
        {
            var memory = ProcessMemory.Read(slot.ProcessId);
            memoryKind ??= memory?.Kind;
            var connection = slot.Life.Connection;
            var nick = slot.Life.State switch
            {
                WorkerState.Starting => "(starting)",
                WorkerState.Idle => "(idle, pooled)",
                WorkerState.Retiring => "(retiring)",
                _ => connection is { } c ? nicksByMemberId.GetValueOrDefault(c.Id, "(joining)") : "(joining)",
            };
            table.Add(Row(
                slot.ProcessId.ToString(CultureInfo.InvariantCulture), "worker", nick, Formats.Uptime(now - slot.StartedAt),
                Memory(memory), $"{slot.Life.Uses}/{_reuse}", connection?.PeerText ?? "-"));
        }

        var explanation = memoryKind == "Pss"
            ? "MEMORY is Pss: each process's fair share of the pages it maps, from /proc/PID/smaps_rollup"
            : $"MEMORY is {memoryKind ?? "unknown"}";
        return table.Render($"{table.Count} processes: 1 supervisor, {table.Count - 1} workers; {explanation}");
    }

    // The USES cell only when workers are reused: a fresh worker serves one client, and the column would say nothing.
    private string[] Row(string pid, string role, string nick, string uptime, string memory, string uses, string client) =>
        _reuse > 0 ? [pid, role, nick, uptime, memory, uses, client] : [pid, role, nick, uptime, memory, client];

    private static string Memory(ProcessMemory? memory) => memory is { } m ? Formats.Mebibytes(m.Bytes) : "?";
}

using ChatFork.Bench.Measure;
using ChatFork.Bench.Results;

namespace ChatFork.Bench.Spawn;

/// <summary>
/// The floor under every fresh connection of a process-per-connection server: <c>posix_spawn</c> and
/// <c>waitpid</c> in a loop (best of <see cref="Repeats"/> loops of N) of a trivial C program and of the worker
/// binary itself (<c>chatfork-worker --help</c>: the runtime starts, parses its arguments, prints and exits). A fresh
/// echo-seq connection cannot be faster than the second figure; the gap between the two is what the worker's
/// runtime costs.
/// </summary>
internal static class SpawnFloor
{
    public const int Repeats = 3;

    public const int DefaultCount = 200;

    public const string Name = "spawn";

    /// <summary>Measures both; a program that cannot be spawned leaves its figure out and says why in a note.</summary>
    /// <param name="chatForkPath">The chatfork under test; its worker is the <c>chatfork-worker</c> beside it. Null:
    /// no ChatFork, only the trivial program.</param>
    /// <param name="count">Spawns per loop.</param>
    public static ScenarioResult Run(string? chatForkPath, int count)
    {
        var result = new ScenarioResult(Name, "posix_spawn + waitpid");
        var started = Clock.Now;
        using (var trivial = TrivialProgram.Create())
        {
            if (trivial.Note is { } note)
            {
                result.Notes.Add(note);
            }

            Add(result, "spawn_trivial_ms", $"spawn and exit, {trivial.What}", trivial.Path, [], count);
        }

        if (chatForkPath is not null)
        {
            var worker = Path.Combine(Path.GetDirectoryName(chatForkPath) ?? ".", "chatfork-worker");
            if (!File.Exists(worker))
            {
                result.Notes.Add($"No chatfork-worker beside {chatForkPath}; its spawn floor is left out.");
            }
            else
            {
                if (File.Exists(worker + ".dll"))
                {
                    result.Notes.Add(
                        $"{worker} is a JIT-compiled apphost (a chatfork-worker.dll is beside it), not the NativeAOT "
                        + "worker: publish it (dotnet publish src/Supervisor -c Release -o artifacts/publish) for the "
                        + "figure the target means.");
                }

                Add(result, "spawn_worker_ms", "spawn and exit, chatfork-worker --help", worker, ["--help"], count);
            }
        }

        result.Add("spawn_count", "spawns per loop (best of 3 loops)", count, "");
        result.DurationSeconds = Clock.MillisecondsSince(started) / 1000.0;
        return result;
    }

    private static void Add(
        ScenarioResult result, string key, string label, string path, IReadOnlyList<string> arguments, int count)
    {
        try
        {
            var (milliseconds, exitCode) = SpawnLoop.Best(path, arguments, count, Repeats);
            result.Add(key, label, milliseconds, "ms", Better.Lower);
            if (exitCode != 0)
            {
                result.Notes.Add(
                    $"{Path.GetFileName(path)} {string.Join(' ', arguments)} exits with code {exitCode} (its usage); "
                    + "what is timed is its start and its exit.");
            }
        }
        catch (BenchException ex)
        {
            result.Add(key, label, null, "ms", Better.Lower);
            result.Notes.Add(ex.Message);
        }
    }
}

using CommandLine;

namespace ChatFork.Bench.Cli;

[Verb("compare", HelpText = "Run scenarios against ChatFork and its peers (socat, ncat) and print one table.")]
public sealed class CompareVerbOptions : CommonOptions
{
    [Option("scenarios", Separator = ',', MetaValue = "a,b,c",
        HelpText = "Scenarios to compare. Default: spawn,echo-seq,echo-burst,greeting,chat-burst,fanout,memory "
            + "(spawn: the spawn floor, posix_spawn and exit of a trivial C program and of chatfork-worker).")]
    public IEnumerable<string> Scenarios { get; set; } = [];

    [Option("with-scale", HelpText = "Add the scale scenario (1000 clients) to the default list.")]
    public bool WithScale { get; set; }

    [Option("scale-clients", MetaValue = "N",
        HelpText = "Clients in the scale scenario (default: -c, else 1000); -c also sizes echo-burst and memory.")]
    public int? ScaleClients { get; set; }

    [Option("budget", Default = 20, MetaValue = "SECONDS",
        HelpText = "How long the repeating scenarios (echo-seq, greeting, fanout) may run against one server before "
            + "they stop and report what they measured; keeps the comparison to a few minutes.")]
    public int BudgetSeconds { get; set; }

    [Option("spawn-count", Default = Spawn.SpawnFloor.DefaultCount, MetaValue = "N",
        HelpText = "Spawns per loop for the spawn floor (best of 3 loops).")]
    public int SpawnCount { get; set; }

    [Option("markdown", MetaValue = "FILE", HelpText = "Also write the table as Markdown.")]
    public string? MarkdownPath { get; set; }

    internal TimeSpan Budget => BudgetSeconds > 0
        ? TimeSpan.FromSeconds(BudgetSeconds)
        : throw new BenchException($"--budget must be a positive number of seconds, not {BudgetSeconds}.");
}

using CommandLine;

namespace ChatFork.Bench.Lab;

/// <summary>Options of <c>chatfork-bench lab</c>. Public with setters because CommandLineParser fills them by reflection.</summary>
[Verb("lab", HelpText = "The comparison lab: ChatFork's process, thread and async models over a sweep of client counts; "
    + "writes results.csv, results.json, a PNG chart per metric and report.md.")]
public sealed class LabVerbOptions
{
    [Option("models", Separator = ',', MetaValue = "a,b,c",
        HelpText = "The models to compare (chatfork --model). Default: process,thread,async.")]
    public IEnumerable<string> Models { get; set; } = [];

    [Option("clients", Separator = ',', MetaValue = "N,N,...",
        HelpText = "Client counts to sweep, at least 2 each. Default: 10,50,200 (under two minutes on 2 cores). The "
            + "full lab: --clients 10,100,500,1000 (several times longer; the process model starts thousands of "
            + "workers).")]
    public IEnumerable<int> Clients { get; set; } = [];

    [Option("out", MetaValue = "DIR",
        HelpText = "Folder for results.csv, results.json, the charts and report.md. Default: lab-results/<UTC time>.")]
    public string? OutDirectory { get; set; }

    [Option("chatfork", MetaValue = "PATH",
        HelpText = "The chatfork executable. Default: artifacts/publish/chatfork, then the Release and Debug build "
            + "outputs of src/Supervisor, under the repository root.")]
    public string? ChatForkPath { get; set; }

    [Option("quick", HelpText = "A tiny sweep for tests: every model at 3 and 6 clients, a few rounds; seconds, "
        + "not minutes. --clients and the sizes below still apply when given.")]
    public bool Quick { get; set; }

    [Option("greetings", MetaValue = "G", HelpText = "Timed sequential connects per point (default 20; quick 3).")]
    public int? Greetings { get; set; }

    [Option("rounds", MetaValue = "R", HelpText = "Fan-out rounds per point (default 10; quick 3).")]
    public int? Rounds { get; set; }

    [Option("lines", MetaValue = "M", HelpText = "Lines each client sends in the chat burst (default 5; quick 2).")]
    public int? Lines { get; set; }

    [Option("prespawn", MetaValue = "K",
        HelpText = "The process model's --prespawn: idle workers kept ready (default 4, chatfork's own; quick 2).")]
    public int? Prespawn { get; set; }

    [Option("timeout", Default = 120, MetaValue = "SECONDS",
        HelpText = "Time bound for each phase of each point (the room and greetings, the fan-out, the burst).")]
    public int TimeoutSeconds { get; set; }
}

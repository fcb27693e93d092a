using CommandLine;

namespace ChatFork.Bench.Cli;

[Verb("cluster", HelpText = "chat-burst and fanout against chatfork alone, one --cluster host, and two --cluster hosts sharing one Redis (started here, on loopback), in one run.")]
public sealed class ClusterVerbOptions : CommonOptions
{
    [Option("redis-server", MetaValue = "PATH", HelpText = "The redis-server executable. Default: redis-server on PATH.")]
    public string? RedisServerPath { get; set; }

    [Option("budget", Default = 20, MetaValue = "SECONDS", HelpText = "How long fanout may repeat against one set-up.")]
    public int BudgetSeconds { get; set; }
}

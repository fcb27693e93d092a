using CommandLine;

namespace ChatFork.Bench.Cli;

[Verb("run", HelpText = "Run one scenario against one server.")]
public sealed class RunVerbOptions : CommonOptions
{
    [Value(0, MetaName = "scenario", Required = true,
        HelpText = "echo-seq, echo-burst, greeting, chat-burst, fanout, memory, scale, or spawn (the spawn floor: no "
            + "server; -n spawns per loop, default 200).")]
    public string Scenario { get; set; } = "";

    [Option("server", MetaValue = "NAME",
        HelpText = "Start this server for the run: chatfork (the default), socat (echo) or ncat (chat).")]
    public string? Server { get; set; }

    [Option("target", MetaValue = "HOST:PORT", HelpText = "Measure a server that is already running on loopback.")]
    public string? Target { get; set; }

    [Option("server-pid", MetaValue = "PID", HelpText = "With --target: the root of the server's process tree, for memory figures.")]
    public int? ServerPid { get; set; }

    [Option("mode", MetaValue = "echo|chat",
        HelpText = "For scenarios that work with either (memory, greeting): what the server does. Default: chat for "
            + "chatfork and --target, echo for socat, chat for ncat.")]
    public string? Mode { get; set; }
}

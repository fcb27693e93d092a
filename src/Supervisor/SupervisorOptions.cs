using CommandLine;
using CommandLine.Text;

namespace ChatFork.Supervisor;

/// <summary>The <c>chatfork</c> command line. Every limit is here, with its default, and shows in <c>--help</c>.</summary>
public sealed class SupervisorOptions
{
    [Option("host", Default = "127.0.0.1", HelpText = "Address to listen on. The default takes local connections only; 0.0.0.0 takes any.")]
    public string Host { get; set; } = "127.0.0.1";

    [Option("port", HelpText = "TCP port to listen on (default 7000; 6667 with --protocol irc); 0 picks a free one (the 'listening on' line says which).")]
    public int? Port { get; set; }

    [Option("protocol", Default = ClientProtocol.Text, HelpText = "text: ChatFork's line protocol (nc, telnet). irc: an IRC server with channels (irssi, WeeChat, HexChat); see docs/irc.md.")]
    public ClientProtocol Protocol { get; set; } = ClientProtocol.Text;

    [Option("server-name", HelpText = "IRC: the name the server gives itself, the source of its replies. Default: the host name.")]
    public string? ServerName { get; set; }

    [Option("password", HelpText = "IRC: the password clients must give with PASS. Default: none asked.")]
    public string? Password { get; set; }

    [Option("max-channels", Default = 20, HelpText = "IRC: most channels one client may be on at once (005 CHANLIMIT).")]
    public int MaxChannels { get; set; } = 20;

    [Option("max-channels-total", Default = 1000, HelpText = "IRC: most channels that may exist on the server at once.")]
    public int MaxChannelsTotal { get; set; } = 1000;

    [Option("ping-interval", Default = 90, HelpText = "IRC: seconds of silence from a client before the server sends it a PING.")]
    public int PingInterval { get; set; } = 90;

    [Option("ping-timeout", Default = 60, HelpText = "IRC: seconds a client has to answer that PING (with anything) before it is dropped ('Ping timeout').")]
    public int PingTimeout { get; set; } = 60;

    [Option("flood-burst", Default = 40, HelpText = "IRC: lines a client may send at once; past the burst and the rate it is dropped ('Excess Flood').")]
    public int FloodBurst { get; set; } = 40;

    [Option("flood-rate", Default = 4, HelpText = "IRC: lines a second a client may keep sending after its burst.")]
    public int FloodRate { get; set; } = 4;

    [Option("mode", Default = ServerMode.Chat, HelpText = "chat: a chat room. echo: the classic TCP echo server.")]
    public ServerMode Mode { get; set; } = ServerMode.Chat;

    [Option("transport", Default = Transport.Tcp, HelpText = "tcp: the server. udp: a one-socket UDP echo server, for the lab's TCP-vs-UDP contrast (--mode echo only).")]
    public Transport Transport { get; set; } = Transport.Tcp;

    [Option("model", Default = ServerModel.Process, HelpText = "process: a worker process per connection (fork emulation). thread: a thread per connection. async: async I/O in one process. For the comparison lab.")]
    public ServerModel Model { get; set; } = ServerModel.Process;

    [Option("max-clients", Default = 256, HelpText = "Most worker processes at once (pooled ones included); past it new connections get '* server full'.")]
    public int MaxClients { get; set; } = 256;

    [Option("max-clients-per-ip", Default = 64, HelpText = "Most connections from one address at once.")]
    public int MaxClientsPerIp { get; set; } = 64;

    [Option("listen-backlog", Default = 1024, HelpText = "Connections the kernel may hold before the accept loop takes them (listen()'s backlog; capped by net.core.somaxconn).")]
    public int ListenBacklog { get; set; } = 1024;

    [Option("prespawn", Default = 4, HelpText = "Idle workers kept started and attached, ready for the next connections (0: start one per connection).")]
    public int Prespawn { get; set; } = 4;

    [Option("worker-reuse", Default = 0, HelpText = "Prefork reuse, like Apache's MaxConnectionsPerChild: a worker whose client left cleanly serves up to N clients in turn, then exits. 0 or 1: off, a fresh process for every client (what fork means). A later client shares a process with whatever an earlier one left behind: see docs/process-model.md.")]
    public int WorkerReuse { get; set; }

    [Option("max-line", Default = 4096, HelpText = "Longest line a client may send, in bytes; a longer one ends the connection.")]
    public int MaxLine { get; set; } = 4096;

    [Option("send-queue", Default = 1024 * 1024, HelpText = "Bytes a worker queues for its client (on top of a 64 KiB kernel buffer). Past it the worker stops taking lines from the room until the client catches up; a client that takes nothing for --slow-consumer-timeout is disconnected.")]
    public int SendQueue { get; set; } = 1024 * 1024;

    [Option("worker-queue", Default = 1024 * 1024, HelpText = "Bytes the supervisor queues for one worker's pipe. Past half of it the heaviest senders are slowed; past all of it every sender waits (a reserve of a quarter, at least 64 KiB, is kept for server notices).")]
    public int WorkerQueue { get; set; } = 1024 * 1024;

    [Option("announce-limit", Default = 200, HelpText = "Most people in the room for whom joins and leaves are announced to everyone, and the names listed to a newcomer; above it (a room of thousands) only the count is given and /who lists everyone. 0: no limit.")]
    public int AnnounceLimit { get; set; } = 200;

    [Option("slow-consumer-timeout", Default = 10, HelpText = "Seconds a client may take nothing while lines for it back up (past half of --worker-queue in the supervisor, or past --send-queue in its worker) before it is dropped as a slow consumer.")]
    public int SlowConsumerTimeout { get; set; } = 10;

    // No Default: left out, it depends on the rest (ServerSettings.DefaultFanout).
    [Option("fanout", HelpText = "How the chat room's lines reach the workers. shm (on Linux, the default for the chat room of --model process): written once into a ring in shared memory that every worker reads (a memfd on Linux, a named file mapping on Windows); lines for one client stay on its pipe. pipe: down every worker's pipe (the default elsewhere, and the only choice with --model thread or async). Chat mode only: --protocol irc and --cluster fan out on the pipes either way.")]
    public FanoutMode? Fanout { get; set; }

    // No Default: left out, it is 1 MiB, or more when --max-line needs it (ServerSettings.RingNeededFor).
    [Option("ring-size", HelpText = "Bytes of the room's shared ring with --fanout shm, a power of two (default: 1048576, or the smallest that holds two of the longest room lines --max-line allows). A worker more than half a ring behind slows the heaviest senders, one past the ring less a reserve (a quarter, at least 64 KiB) stops every sender; one that reads nothing for --slow-consumer-timeout meanwhile is dropped.")]
    public int? RingSize { get; set; }

    [Option("idle-timeout", Default = 0, HelpText = "Seconds a client may stay silent before it is disconnected; 0: no limit.")]
    public int IdleTimeout { get; set; }

    [Option("line-timeout", Default = 30, HelpText = "Seconds one line may take to arrive, from its first byte to its newline; a slower one ends the connection (slowloris). 0: no limit.")]
    public int LineTimeout { get; set; } = 30;

    [Option("line-rate", Default = 10, HelpText = "Chat lines a second a client may send on average; past it (and its burst) the server stops reading it until it is within the limit again. 0: no limit.")]
    public int LineRate { get; set; } = 10;

    [Option("line-burst", Default = 60, HelpText = "Chat lines a client may send at once before --line-rate applies (a pasted snippet).")]
    public int LineBurst { get; set; } = 60;

    [Option("flood-timeout", Default = 10, HelpText = "Seconds a client may be held back by --line-rate without a break before it is told 'excess flood' and disconnected. 0: never.")]
    public int FloodTimeout { get; set; } = 10;

    [Option("attach-timeout", Default = 10, HelpText = "Seconds a new worker has to start and attach to its pipe before it is killed.")]
    public int AttachTimeout { get; set; } = 10;

    [Option("queue-timeout", Default = 30, HelpText = "Seconds an accepted connection may wait for a worker (a burst can outrun process creation) before it gets '* server busy'.")]
    public int QueueTimeout { get; set; } = 30;

    [Option("shutdown-timeout", Default = 5, HelpText = "Seconds workers get to finish on SIGINT/SIGTERM before they are killed.")]
    public int ShutdownTimeout { get; set; } = 5;

    [Option("pool-wait", Default = 5, HelpText = "Seconds the server waits at start for its --prespawn workers to attach before it says it is listening (0: do not wait).")]
    public int PoolWait { get; set; } = 5;

    [Option("enable-crash-command", Default = false, HelpText = "Lab only: let a client type /crash to make whatever serves it fail hard (a worker process, or the whole server in the thread and async models).")]
    public bool EnableCrashCommand { get; set; }

    [Option("worker", HelpText = "Path of the worker executable. Default: chatfork-worker next to chatfork.")]
    public string? WorkerPath { get; set; }

    [Option("log-level", Default = "info", HelpText = "Least level logged: trace, debug, info, warn, error, off.")]
    public string LogLevel { get; set; } = "info";

    [Option("log-file", HelpText = "Log file. Default: logs/chatfork.log next to chatfork. 'none' logs to the console only.")]
    public string? LogFile { get; set; }

    [Option("cluster", HelpText = "redis://HOST:PORT: share the room with every supervisor on that Redis (docs/cluster.md). Without it, this supervisor is alone.")]
    public string? Cluster { get; set; }

    [Option("node", HelpText = "This supervisor's name in the cluster, shown in /who, /ps and notices. Default: the host name.")]
    public string? Node { get; set; }

    [Option("cluster-stream-max", Default = 100_000, HelpText = "Entries the room's Redis stream keeps (XADD MAXLEN, exact); a supervisor that falls further behind is told lines are missing.")]
    public int ClusterStreamMax { get; set; } = 100_000;

    [Option("cluster-hold", Default = 10_000, HelpText = "Lines held here while Redis is unreachable, sent in order when it is back; past it a sender is told its line was not sent.")]
    public int ClusterHold { get; set; } = 10_000;

    [Option("cluster-heartbeat-ttl", Default = 3, HelpText = "Seconds a supervisor's heartbeat lives in Redis; one that stops beating for longer is announced lost.")]
    public int ClusterHeartbeatTtl { get; set; } = 3;

    [Usage(ApplicationAlias = "chatfork")]
    public static IEnumerable<Example> Examples =>
    [
        new("Start a chat server on 127.0.0.1:7000 (then: nc 127.0.0.1 7000)", s_onlyChanged, new SupervisorOptions()),
        new("An echo server on port 7007", s_onlyChanged, new SupervisorOptions { Mode = ServerMode.Echo, Port = 7007 }),
        new("An IRC server on 127.0.0.1:6667 (then: irssi -c 127.0.0.1 -p 6667)", s_onlyChanged, new SupervisorOptions { Protocol = ClientProtocol.Irc }),
        new("The comparison lab: one thread per connection instead of one process", s_onlyChanged, new SupervisorOptions { Model = ServerModel.Thread }),
    ];

    private static readonly UnParserSettings s_onlyChanged = new() { SkipDefault = true };
}

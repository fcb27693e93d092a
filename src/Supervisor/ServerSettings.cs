using System.Net;
using ChatFork.Supervisor.Irc;

namespace ChatFork.Supervisor;

/// <summary>The options, checked and in the units the code uses. One instance, read by every component.</summary>
internal sealed record ServerSettings(
    IPAddress Host,
    int Port,
    ServerMode Mode,
    ServerModel Model,
    Transport Transport,
    int MaxClients,
    int MaxClientsPerIp,
    int Prespawn,
    int MaxLine,
    int SendQueue,
    int WorkerQueue,
    TimeSpan IdleTimeout,
    TimeSpan AttachTimeout,
    TimeSpan QueueTimeout,
    TimeSpan ShutdownTimeout,
    TimeSpan PoolWait,
    TimeSpan SlowConsumerTimeout,
    string WorkerPath,
    bool AllowCrash)
{
    /// <summary>
    /// The largest frame a worker may send. A cleaned line can be three times the raw one (each invalid byte becomes
    /// U+FFFD, three bytes in UTF-8), plus the header and fields; log frames are cut to fit the same bound.
    /// </summary>
    public int MaxWorkerFrame => MaxWorkerFrameFor(MaxLine);

    /// <summary><see cref="MaxWorkerFrame"/> for a given <c>--max-line</c>, before the settings exist.</summary>
    public static int MaxWorkerFrameFor(int maxLine) => (3 * maxLine) + 1024;

    /// <summary>How long one line may take to arrive (<c>--line-timeout</c>); zero: no limit.</summary>
    public TimeSpan LineTimeout { get; init; } = TimeSpan.FromSeconds(Sessions.SessionLimits.DefaultLineTimeoutSeconds);

    /// <summary>Chat lines a second per client (<c>--line-rate</c>); zero: no limit.</summary>
    public int LineRate { get; init; } = (int)Sessions.SessionLimits.DefaultLineRate;

    /// <summary>Lines a client may send at once (<c>--line-burst</c>).</summary>
    public int LineBurst { get; init; } = Sessions.SessionLimits.DefaultLineBurst;

    /// <summary>How long a client may be held back without a break before it is disconnected (<c>--flood-timeout</c>).</summary>
    public TimeSpan FloodTimeout { get; init; } = TimeSpan.FromSeconds(Sessions.SessionLimits.DefaultFloodTimeoutSeconds);

    /// <summary>People in the room up to whom joins and leaves are announced (<c>--announce-limit</c>); 0: no limit.</summary>
    public int AnnounceLimit { get; init; } = 200;

    /// <summary>listen()'s backlog (<c>--listen-backlog</c>).</summary>
    public int ListenBacklog { get; init; } = 1024;

    /// <summary>
    /// Clients one worker process may serve in turn (<c>--worker-reuse</c>); 0 or 1: a fresh process per client.
    /// </summary>
    public int WorkerReuse { get; init; }

    /// <summary>True when workers are reused (<c>--worker-reuse</c> 2 or more): they are started with <c>--reusable</c>.</summary>
    public bool ReusesWorkers => WorkerReuse >= 2;

    /// <summary>
    /// Idle workers the pool may hold before a recycled worker is retired instead of pooled: twice <c>--prespawn</c>,
    /// as Apache's MaxSpareServers is twice MinSpareServers by default. Fresh starts fill the pool to --prespawn; a
    /// worker that comes back while they wait is kept up to this.
    /// </summary>
    public int MaxIdleWorkers => 2 * Prespawn;

    /// <summary>What clients speak (<c>--protocol</c>).</summary>
    public ClientProtocol Protocol { get; init; } = ClientProtocol.Text;

    /// <summary>IRC mode's settings; null in the text protocol.</summary>
    public IrcSettings? Irc { get; init; }

    /// <summary>How the room's lines reach the workers (<c>--fanout</c>).</summary>
    public FanoutMode Fanout { get; init; } = FanoutMode.Pipe;

    /// <summary>Bytes of the room's shared ring with <c>--fanout shm</c> (<c>--ring-size</c>).</summary>
    public long RingSize { get; init; } = DefaultRingSize;

    public const int DefaultRingSize = 1024 * 1024;

    /// <summary>--cluster and its options; null when this supervisor is alone.</summary>
    public global::ChatFork.Supervisor.Cluster.ClusterSettings? Cluster { get; init; }

    /// <exception cref="ChatForkException">An option is out of range; the message names it.</exception>
    public static ServerSettings From(SupervisorOptions options)
    {
        if (!IPAddress.TryParse(options.Host, out var host))
        {
            throw new ChatForkException($"--host must be an IP address such as 127.0.0.1, not '{options.Host}'.");
        }

        var irc = options.Protocol == ClientProtocol.Irc;
        var port = options.Port ?? (irc ? IrcSettings.DefaultPort : 7000);
        Require(port is >= 0 and <= 65535, "--port must be between 0 and 65535.");
        Require(!irc || options.Mode == ServerMode.Chat, "--protocol irc is a chat server: it cannot be combined with --mode echo.");
        Require(!irc || options.Model == ServerModel.Process, "--protocol irc is served by --model process only (a worker process per client).");
        Require(!irc || options.Transport == Transport.Tcp, "--protocol irc needs --transport tcp.");
        Require(options.Transport == Transport.Tcp || options.Mode == ServerMode.Echo,
            "--transport udp serves --mode echo only: a chat room needs connections, and UDP has none.");
        Require(options.MaxClients >= 1, "--max-clients must be at least 1.");
        Require(options.MaxClientsPerIp >= 1, "--max-clients-per-ip must be at least 1.");
        Require(options.Prespawn >= 0, "--prespawn cannot be negative.");
        Require(options.ListenBacklog >= 1, "--listen-backlog must be at least 1.");
        Require(options.MaxLine is >= 16 and <= 1024 * 1024, "--max-line must be between 16 and 1048576 bytes.");
        // The upper bound keeps a worker's queue well inside its GC heap cap (System.GC.HeapHardLimit, src/Worker).
        Require(options.SendQueue is >= 4096 and <= 256 * 1024 * 1024, "--send-queue must be between 4096 and 268435456 bytes.");
        Require(options.WorkerQueue >= 64 * 1024, "--worker-queue must be at least 65536 bytes.");
        Require(options.IdleTimeout >= 0, "--idle-timeout cannot be negative.");
        Require(options.AttachTimeout >= 1, "--attach-timeout must be at least 1 second.");
        Require(options.QueueTimeout >= 1, "--queue-timeout must be at least 1 second.");
        Require(options.ShutdownTimeout >= 0, "--shutdown-timeout cannot be negative.");

        Require(options.WorkerReuse >= 0, "--worker-reuse cannot be negative (0 or 1: a fresh process per client).");
        Require(options.WorkerReuse < 2 || options.Model == ServerModel.Process, "--worker-reuse applies to --model process only: the other models start no processes.");
        Require(options.WorkerReuse < 2 || !irc, "--worker-reuse is not supported with --protocol irc yet: IRC workers are always fresh.");
        Require(options.PoolWait >= 0, "--pool-wait cannot be negative.");
        Require(options.AnnounceLimit >= 0, "--announce-limit cannot be negative (0: no limit).");
        Require(options.SlowConsumerTimeout >= 1, "--slow-consumer-timeout must be at least 1 second.");
        Require(options.LineTimeout >= 0, "--line-timeout cannot be negative.");
        Require(options.LineRate >= 0, "--line-rate cannot be negative.");
        Require(options.LineBurst >= 1, "--line-burst must be at least 1.");
        Require(options.FloodTimeout >= 0, "--flood-timeout cannot be negative.");
        Require(options.Fanout != FanoutMode.Shm || options.Model == ServerModel.Process,
            "--fanout shm fans the room out to worker processes: it needs --model process.");
        Require(options.RingSize is not { } givenRing || (givenRing is >= 256 * 1024 and <= 1 << 30 && (givenRing & (givenRing - 1)) == 0),
            "--ring-size must be a power of two between 262144 (256 KiB) and 1073741824 (1 GiB) bytes.");
        var ringNeeded = RingNeededFor(options.MaxLine);
        var ringSize = options.RingSize ?? Math.Max(DefaultRingSize, ringNeeded);
        Require(ringSize >= ringNeeded,
            $"--ring-size {ringSize} cannot hold the longest room line --max-line {options.MaxLine} allows (a record may take half the ring): give at least {ringNeeded}, or leave --ring-size out.");
        var worker = options.WorkerPath ?? Path.Combine(AppContext.BaseDirectory, ChatFork.Platform.WorkerExecutable.FileName);

        return new ServerSettings(
            host, port, options.Mode, options.Model, options.Transport, options.MaxClients, options.MaxClientsPerIp,
            Math.Min(options.Prespawn, options.MaxClients), options.MaxLine, options.SendQueue, options.WorkerQueue,
            TimeSpan.FromSeconds(options.IdleTimeout), TimeSpan.FromSeconds(options.AttachTimeout),
            TimeSpan.FromSeconds(options.QueueTimeout), TimeSpan.FromSeconds(options.ShutdownTimeout),
            TimeSpan.FromSeconds(options.PoolWait), TimeSpan.FromSeconds(options.SlowConsumerTimeout), Path.GetFullPath(worker), options.EnableCrashCommand)
        {
            ListenBacklog = options.ListenBacklog,
            AnnounceLimit = options.AnnounceLimit,
            LineTimeout = TimeSpan.FromSeconds(options.LineTimeout),
            LineRate = options.LineRate,
            LineBurst = options.LineBurst,
            FloodTimeout = TimeSpan.FromSeconds(options.FloodTimeout),
            Protocol = options.Protocol,
            WorkerReuse = options.WorkerReuse,
            Fanout = options.Fanout ?? DefaultFanout(options, irc),
            RingSize = ringSize,
            Irc = irc ? IrcSettings.From(options) : null,

            Cluster = global::ChatFork.Supervisor.Cluster.ClusterSettings.From(options),
        };
    }

    // The smallest ring (a power of two, at least --ring-size's 256 KiB floor) in which a record of the longest room
    // line takes at most half the ring (RingWriter's rule). A room line is the sender's text, which the sanitizer may
    // grow to 3 bytes per byte received (U+FFFD for each invalid byte, as MaxWorkerFrame allows), behind its prefix
    // (256 bytes: "<nick> ", "* nick ", a whisper's).
    internal static int RingNeededFor(int maxLine)
    {
        var longestRecord = global::ChatFork.Fanout.RingLayout.RecordSize(MaxWorkerFrameFor(maxLine) + 256);
        return (int)Math.Max(256 * 1024, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(2 * longestRecord)));
    }

    // Left out, --fanout is shm wherever a ring can serve: the process model's chat room on this host (the bench's
    // chat-burst runs faster through it, docs/performance.md), and pipe where it cannot (the lab's thread and async
    // models, echo mode, IRC mode's channels, the cluster's room), so that no default start logs that shm was ignored.
    // Linux only so far: Platform/RingByDefault.cs says why.
    private static FanoutMode DefaultFanout(SupervisorOptions options, bool irc) =>
        options.Model == ServerModel.Process && options.Mode == ServerMode.Chat && !irc && options.Cluster is null
            && global::ChatFork.Supervisor.Platform.RingByDefault.Here
            ? FanoutMode.Shm
            : FanoutMode.Pipe;

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ChatForkException(message);
        }
    }
}

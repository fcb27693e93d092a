using ChatFork.Bench.Measure;
using ChatFork.Bench.Net;
using ChatFork.Bench.Results;
using ChatFork.Bench.Scenarios;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Lab;

/// <summary>
/// The lab's first phase: C chat clients connect and are proved to be served (a readiness barrier); once the server
/// is idle, its tree is measured (Pss, processes, threads); then, with those C clients still connected, the greeting
/// scenario times G more connects, one after another, each waiting for an idle server first, from <c>connect()</c>
/// to the greeting's last line. (The first line alone would not do: the process model's supervisor writes it before
/// the worker has the socket, while in the other models the connection's own thread or task writes all of it.)
/// </summary>
internal sealed class RoomAtRestScenario : IScenario
{
    // ChatFork's greeting ends with the line that says this, in every model; until then a client is not fully in.
    private const string GreetingEnd = "/help lists the commands";

    private static readonly TimeSpan s_barrierBudget = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_settleLimit = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan s_idleLimit = TimeSpan.FromSeconds(3);

    private readonly int _clients;
    private readonly int _greetings;

    /// <param name="clients">Clients to hold connected.</param>
    /// <param name="greetings">Connects to time.</param>
    /// <param name="pooled">Idle worker processes the server keeps (the process model's --prespawn); 0 when the
    /// server runs in one process.</param>
    /// <param name="oneProcess">True for the thread and async models.</param>
    public RoomAtRestScenario(int clients, int greetings, int pooled, bool oneProcess)
    {
        _clients = clients;
        _greetings = greetings;
        ExpectedProcesses = oneProcess ? 1 : 1 + clients + pooled;
    }

    public string Name => "room-at-rest";

    public ServerMode? Needs => ServerMode.Chat;

    public int MaxClients => _clients + 1;

    /// <summary>The processes an idle server has with the clients connected.</summary>
    public int ExpectedProcesses { get; }

    /// <summary>The tree with the clients connected and the server idle; null until measured.</summary>
    public TreeUsage? Loaded { get; private set; }

    public async Task RunAsync(ScenarioContext context, ScenarioResult result, CancellationToken cancellationToken)
    {
        if (context.ServerPid is not { } pid)
        {
            result.Error = "The lab needs the server's process id to measure its tree.";
            return;
        }

        var token = BenchToken.ForNewRun();
        await using var room = await ChatRoom.ConnectAsync(context.Endpoint, _clients, token, 64, cancellationToken);
        var attempts = await room.BarrierAsync(s_barrierBudget, cancellationToken);
        if (room.ReadinessNote(attempts) is { } readiness)
        {
            result.Notes.Add(readiness);
        }

        var settle = new IdleWait(pid, ExpectedProcesses, s_settleLimit);
        await settle.WaitAsync(cancellationToken);
        if (settle.Note("before measuring the tree") is { } settleNote)
        {
            result.Notes.Add(settleNote);
        }

        Loaded = TreeUsage.Read(pid) ?? throw new BenchException($"The server (pid {pid}) is gone.");
        if (Loaded.Memory.Unreadable > 0)
        {
            result.Notes.Add($"{Loaded.Memory.Unreadable} processes of the tree could not be read and count as 0 Pss.");
        }

        var idle = new IdleWait(pid, ExpectedProcesses, s_idleLimit);
        var greeting = new GreetingScenario(_greetings)
        {
            BeforeEachAsync = idle.WaitAsync,
            LastLineContains = GreetingEnd,
        };
        await greeting.RunAsync(context, result, cancellationToken);
        if (idle.Note("greetings") is { } idleNote)
        {
            result.Notes.Add(idleNote);
        }

        if (room.Disconnected > 0)
        {
            result.Notes.Add($"The server closed {room.Disconnected} of the {_clients} connections during the phase.");
        }
    }
}

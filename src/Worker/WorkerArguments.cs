using System.Globalization;
using ChatFork.Irc;

namespace ChatFork.Worker;

/// <summary>
/// The worker's command line, written by the supervisor. Parsed by hand rather than with CommandLineParser: that
/// library works by reflection, which NativeAOT trims away, and a person never types these.
/// </summary>
internal sealed record WorkerArguments(
    string PipeName,
    int SupervisorProcessId,
    WorkerMode Mode,
    int MaxLineBytes,
    int SendQueueBytes,
    TimeSpan IdleTimeout,
    TimeSpan SlowConsumerTimeout,
    bool AllowCrash,
    TimeSpan LineTimeout,
    int LineRate,
    int LineBurst,
    TimeSpan FloodTimeout,
    IrcWorkerSettings? Irc = null,
    bool Reusable = false)
{
    public const string Usage =
        "usage: chatfork-worker --pipe NAME --supervisor PID [--mode chat|echo] [--max-line BYTES] " +
        "[--send-queue BYTES] [--idle-timeout SECONDS] [--slow-consumer-timeout SECONDS] [--line-timeout SECONDS] " +
        "[--line-rate LINES] [--line-burst LINES] [--flood-timeout SECONDS] [--allow-crash yes] [--reusable]\n" +
        "  [--protocol text|irc] [--server-name NAME] [--ping-interval S] [--ping-timeout S] [--flood-burst N] [--flood-rate N]\n" +
        "chatfork-worker is started by the chatfork supervisor, one per client connection; it is not run by hand.";

    /// <exception cref="FormatException">With a sentence that says which argument is wrong.</exception>
    public static WorkerArguments Parse(IReadOnlyList<string> args)
    {
        string? pipe = null;
        int? supervisor = null;
        var mode = WorkerMode.Chat;
        var maxLine = 4096;
        var sendQueue = 1024 * 1024;
        var idle = TimeSpan.Zero;
        var slowConsumer = TimeSpan.FromSeconds(10);
        var allowCrash = false;
        var lineTimeout = TimeSpan.Zero;
        var lineRate = 0;
        var lineBurst = 1;
        var floodTimeout = TimeSpan.Zero;
        var irc = false;
        var serverName = "chatfork";
        var pingInterval = 90;
        var pingTimeout = 60;
        var floodBurst = 40;
        var floodRate = 4;
        var reusable = false;

        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--reusable")
            {
                // A flag (the supervisor passes it with --worker-reuse 2 or more); "yes" or "no" after it is read too.
                reusable = true;
                if (i + 1 < args.Count && args[i + 1] is "yes" or "no")
                {
                    reusable = args[++i] == "yes";
                }

                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new FormatException($"{name} needs a value.");
            }

            var value = args[++i];
            switch (name)
            {
                case "--pipe":
                    pipe = value;
                    break;
                case "--supervisor":
                    supervisor = Positive(name, value);
                    break;
                case "--mode":
                    mode = value switch
                    {
                        "chat" => WorkerMode.Chat,
                        "echo" => WorkerMode.Echo,
                        _ => throw new FormatException($"--mode must be chat or echo, not '{value}'."),
                    };
                    break;
                case "--max-line":
                    maxLine = Positive(name, value);
                    break;
                case "--send-queue":
                    sendQueue = Positive(name, value);
                    break;
                case "--idle-timeout":
                    idle = TimeSpan.FromSeconds(NonNegative(name, value));
                    break;
                case "--slow-consumer-timeout":
                    slowConsumer = TimeSpan.FromSeconds(Positive(name, value));
                    break;
                case "--line-timeout":
                    lineTimeout = TimeSpan.FromSeconds(NonNegative(name, value));
                    break;
                case "--line-rate":
                    lineRate = NonNegative(name, value);
                    break;
                case "--line-burst":
                    lineBurst = Positive(name, value);
                    break;
                case "--flood-timeout":
                    floodTimeout = TimeSpan.FromSeconds(NonNegative(name, value));
                    break;
                case "--allow-crash":
                    allowCrash = value == "yes";
                    break;
                case "--protocol":
                    irc = value switch
                    {
                        "irc" => true,
                        "text" => false,
                        _ => throw new FormatException($"--protocol must be text or irc, not '{value}'."),
                    };
                    break;
                case "--server-name":
                    serverName = value.Length > 0 && !value.Contains(' ', StringComparison.Ordinal) ? value : throw new FormatException("--server-name must be one word.");
                    break;
                case "--ping-interval":
                    pingInterval = Positive(name, value);
                    break;
                case "--ping-timeout":
                    pingTimeout = Positive(name, value);
                    break;
                case "--flood-burst":
                    floodBurst = Positive(name, value);
                    break;
                case "--flood-rate":
                    floodRate = Positive(name, value);
                    break;
                default:
                    throw new FormatException($"Unknown argument '{name}'.");
            }
        }

        if (pipe is null || supervisor is null)
        {
            throw new FormatException("--pipe and --supervisor are required.");
        }

        var ircSettings = irc
            ? new IrcWorkerSettings(serverName, TimeSpan.FromSeconds(pingInterval), TimeSpan.FromSeconds(pingTimeout), floodBurst, floodRate)
            : null;
        return new WorkerArguments(pipe, supervisor.Value, mode, maxLine, sendQueue, idle, slowConsumer, allowCrash,
            lineTimeout, lineRate, lineBurst, floodTimeout, ircSettings, reusable);
    }

    private static int Positive(string name, string value)
    {
        var n = NonNegative(name, value);
        return n > 0 ? n : throw new FormatException($"{name} must be greater than zero.");
    }

    private static int NonNegative(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new FormatException($"{name} must be a whole number, not '{value}'.");
}

using System.Runtime.InteropServices;
using ChatFork.Bench.Cli;
using ChatFork.Bench.Compare;
using ChatFork.Bench.Lab;
using ChatFork.Bench.Platform;
using CommandLine;

namespace ChatFork.Bench;

/// <summary>
/// chatfork-bench: a load generator and reporter for line-based TCP echo and chat servers on loopback.
/// <para>
/// <c>run</c> measures one scenario against one server; <c>compare</c> runs scenarios against ChatFork and its peers
/// (socat's fork-per-connection echo, ncat's chat broker) and prints one table with ratios and targets; <c>lab</c>
/// sweeps ChatFork's three models (process, thread, async) over client counts and writes CSV, JSON, charts and a
/// report for the comparison lab (docs/lab.md).
/// </para>
/// <para>
/// The bench only talks to 127.0.0.1, starts servers itself or aims at one already running, and stops only the
/// processes it started, by pid. Each scenario run is bounded by --timeout, and every wait inside it by a count and a
/// time. What reaches the user on failure is a sentence, never a stack trace.
/// </para>
/// </summary>
internal static class Program
{
    /// <summary>How the bench was invoked, for reports.</summary>
    public static string CommandLine { get; private set; } = "chatfork-bench";

    private static async Task<int> Main(string[] args)
    {
        CommandLine = string.Join(' ', ["chatfork-bench", .. args]);
        using var parser = new Parser(settings =>
        {
            settings.HelpWriter = Console.Error;
            settings.CaseInsensitiveEnumValues = true;
        });
        var parsed = parser.ParseArguments<RunVerbOptions, CompareVerbOptions, LabVerbOptions, ClusterVerbOptions>(args);
        if (parsed is NotParsed<object> notParsed)
        {
            return notParsed.Errors.IsHelp() || notParsed.Errors.IsVersion() ? 0 : 2;
        }

        using var interrupted = new CancellationTokenSource();

        // Ctrl+C, kill and a closed terminal all unwind the running scenario instead of ending the process at once,
        // so that the servers the bench started are stopped rather than orphaned.
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            interrupted.Cancel();
        }

        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var onHangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);

        try
        {
            if (FileLimit.EnsureAtLeast(4096) is { } limitNote)
            {
                Console.Error.WriteLine(limitNote);
            }

            return parsed.Value switch
            {
                RunVerbOptions run => await new RunCommand(run).ExecuteAsync(interrupted.Token),
                CompareVerbOptions compare => await new CompareCommand(compare).ExecuteAsync(interrupted.Token),
                LabVerbOptions lab => await new LabCommand(lab).ExecuteAsync(interrupted.Token),
                ClusterVerbOptions cluster => await new Cluster.ClusterCommand(cluster).ExecuteAsync(interrupted.Token),
                _ => 2,
            };
        }
        catch (BenchException ex)
        {
            Console.Error.WriteLine($"chatfork-bench: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
        {
            Console.Error.WriteLine("chatfork-bench: interrupted; the servers it had started were stopped.");
            return 130;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"chatfork-bench: unexpected {ex.GetType().Name}: {ex.Message}");
            if (Environment.GetEnvironmentVariable("CHATFORK_BENCH_DEBUG") == "1")
            {
                Console.Error.WriteLine(ex);
            }

            return 70;
        }
    }
}

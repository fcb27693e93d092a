using System.Net.Sockets;
using ChatFork.Bench.Measure;
using ChatFork.Bench.Results;
using ChatFork.Bench.Servers;

namespace ChatFork.Bench.Scenarios;

/// <summary>
/// Runs one scenario against one server under the --timeout bound and turns every expected failure into a sentence
/// in the result, so that one failed run does not stop a comparison.
/// </summary>
internal static class ScenarioRunner
{
    /// <summary>Starts the server, runs the scenario, stops the server.</summary>
    public static async Task<ScenarioResult> RunAsync(
        IScenario scenario, ServerSpec spec, TimeSpan timeout, TimeSpan budget, CancellationToken cancellationToken)
    {
        var result = new ScenarioResult(scenario.Name, spec.Label);
        var started = Clock.Now;
        ServerUnderTest? server = null;
        try
        {
            // The server inherits the bench's open-file limit: a client costs a socket here and one or more
            // descriptors there (its socket until the hand-off, a worker's pipe).
            var files = (ulong)(scenario.MaxClients * 3 + 1024);
            if (files > 4096 && Platform.FileLimit.EnsureAtLeast(files) is { } limitNote)
            {
                result.Notes.Add(limitNote);
            }

            server = await ServerUnderTest.StartAsync(spec, cancellationToken);
            await RunOnAsync(scenario, server, timeout, budget, result, cancellationToken);

            // A server that died under load has failed the scenario, whatever the figures say.
            if (server.ExitedEarly() is { } exited)
            {
                result.Error ??= exited;
            }
        }
        catch (BenchException ex)
        {
            result.Error = ex.Message;
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
                foreach (var problem in server.Problems)
                {
                    result.Notes.Add(problem);
                }

                AddPerfFigure(result, server);
            }

            result.DurationSeconds = Clock.MillisecondsSince(started) / 1000.0;
        }

        return result;
    }

    /// <summary>Runs the scenario against a server that is already up.</summary>
    public static async Task RunOnAsync(
        IScenario scenario,
        ServerUnderTest server,
        TimeSpan timeout,
        TimeSpan budget,
        ScenarioResult result,
        CancellationToken cancellationToken,
        IReadOnlyList<System.Net.IPEndPoint>? spread = null)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        var context = new ScenarioContext(server.Endpoint, server.Pid, server.Mode, budget < timeout ? budget : timeout)
        {
            Spread = spread,
            Kind = server.Kind,
            HardLimit = timeout,
            Perf = server.Perf,
        };
        var started = Clock.Now;
        try
        {
            await scenario.RunAsync(context, result, bounded.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result.Error ??= $"Stopped by the time bound of {timeout.TotalSeconds:0} s (--timeout) before it could finish.";
        }
        catch (BenchException ex)
        {
            result.Error = ex.Message;
        }
        catch (SocketException ex)
        {
            result.Error = $"A socket operation against {server.Endpoint} failed: {ex.Message}.";
        }
        catch (IOException ex)
        {
            result.Error = $"Talking to {server.Endpoint} failed: {ex.Message}";
        }

        result.DurationSeconds = Clock.MillisecondsSince(started) / 1000.0;
    }

    /// <summary>
    /// Adds <c>perf_per_delivery</c>: what perf counted over the scenario's timed part, in the whole server tree,
    /// divided by the deliveries in it; or a note saying why there is none.
    /// </summary>
    private static void AddPerfFigure(ScenarioResult result, ServerUnderTest server)
    {
        if (server.Perf is not { } window || server.PerfResult is not { } count)
        {
            return;
        }

        var label = $"{count.Event} per delivery (perf stat, whole server tree)";
        var deliveries = (result.Find("deliveries") ?? result.Find("delivered"))?.Value;
        double? perDelivery = null;
        if (count.Problem is { } problem)
        {
            result.Notes.Add($"No CPU-per-delivery figure: {problem}");
        }
        else if (window.Opened == 0)
        {
            result.Notes.Add("No CPU-per-delivery figure: the scenario stopped before its timed part.");
        }
        else if (deliveries is not > 0)
        {
            result.Notes.Add("No CPU-per-delivery figure: nothing was delivered.");
        }
        else
        {
            perDelivery = count.Value / deliveries;
            result.Add("perf_count", $"{count.Event} in the timed part (perf stat)", count.Value, "", Better.Lower);
        }

        result.Add("perf_per_delivery", label, perDelivery, "", Better.Lower);
    }
}

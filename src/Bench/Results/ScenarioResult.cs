namespace ChatFork.Bench.Results;

/// <summary>Everything one scenario run against one server produced.</summary>
internal sealed class ScenarioResult
{
    public ScenarioResult(string scenario, string server)
    {
        Scenario = scenario;
        Server = server;
    }

    public string Scenario { get; }

    /// <summary>The server's label, e.g. <c>chatfork --mode chat --prespawn 8</c>.</summary>
    public string Server { get; set; }

    /// <summary>Set by compare when one scenario runs against several ChatFork set-ups ("warm", "cold").</summary>
    public string? Variant { get; set; }

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public double DurationSeconds { get; set; }

    /// <summary>Set when the run failed; a sentence.</summary>
    public string? Error { get; set; }

    public IList<Metric> Metrics { get; } = [];

    public IList<string> Notes { get; } = [];

    /// <summary>Raw samples (e.g. every latency in ms), for anyone who wants more than the percentiles.</summary>
    public IDictionary<string, double[]> Samples { get; } = new Dictionary<string, double[]>();

    public void Add(string key, string label, double? value, string unit, Better better = Better.None) =>
        Metrics.Add(new Metric(key, label, value, unit, better));

    public Metric? Find(string key) => Metrics.FirstOrDefault(metric => metric.Key == key);
}

namespace ChatFork.Bench.Measure;

/// <summary>Nearest-rank percentiles over a sorted copy of the samples.</summary>
internal sealed class Percentiles
{
    private readonly double[] _sorted;

    public Percentiles(IEnumerable<double> samples)
    {
        _sorted = [.. samples];
        Array.Sort(_sorted);
    }

    public int Count => _sorted.Length;

    public double? Max => _sorted.Length == 0 ? null : _sorted[^1];

    /// <summary>The sample at <paramref name="percentile"/> (0-100), or null when there are none.</summary>
    public double? At(double percentile)
    {
        if (_sorted.Length == 0)
        {
            return null;
        }

        var rank = (int)Math.Ceiling(percentile / 100.0 * _sorted.Length);
        return _sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)];
    }
}

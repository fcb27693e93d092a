namespace ChatFork.Bench.Results;

/// <summary>Which direction of a figure is the good one.</summary>
internal enum Better
{
    None,
    Higher,
    Lower,
}

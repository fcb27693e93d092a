namespace ChatFork.Bench.Measure;

/// <summary>One counter from <c>perf stat -x,</c>: its value, or why there is none (<c>&lt;not supported&gt;</c>).</summary>
/// <param name="Event">The event as perf names it, e.g. <c>instructions</c> or <c>instructions:u</c>.</param>
/// <param name="Value">The count; null when perf could not count it.</param>
/// <param name="Problem">Null when counted; else a sentence saying why not.</param>
internal sealed record PerfCount(string Event, double? Value, string? Problem);

namespace ChatFork.Sessions;

/// <summary>
/// What one client's session may do: the longest line, how long it may stay silent, how long one line may take to
/// arrive, and how many lines a second it may send (with a burst allowance and the flood rule). A zero time or
/// rate means no limit.
/// </summary>
internal sealed record SessionLimits(
    int MaxLineBytes,
    TimeSpan IdleTimeout,
    TimeSpan LineTimeout = default,
    double LineRate = 0,
    int LineBurst = 1,
    TimeSpan FloodTimeout = default)
{
    public const double DefaultLineRate = 10;
    public const int DefaultLineBurst = 60;
    public const int DefaultFloodTimeoutSeconds = 10;
    public const int DefaultLineTimeoutSeconds = 30;
}

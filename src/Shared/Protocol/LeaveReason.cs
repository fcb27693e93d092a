namespace ChatFork.Protocol;

/// <summary>Why a worker is ending its client's session; sent in <see cref="FrameType.Leaving"/> before it exits.</summary>
internal enum LeaveReason : byte
{
    /// <summary>The client closed the connection.</summary>
    ClientClosed = 1,
    /// <summary>The client typed <c>/quit</c>.</summary>
    Quit = 2,
    /// <summary>The client sent a line longer than <c>--max-line</c>.</summary>
    LineTooLong = 3,
    /// <summary>The client did not read, and its outgoing queue overflowed.</summary>
    TooSlow = 4,
    /// <summary>The client sent nothing for <c>--idle-timeout</c>.</summary>
    Idle = 5,
    /// <summary>The supervisor asked the worker to end (shutdown).</summary>
    Shutdown = 6,
    /// <summary>The connection failed (reset, network error).</summary>
    ConnectionError = 7,
    /// <summary>The client sent something the worker refuses (binary flood, protocol abuse).</summary>
    BadInput = 8,
    /// <summary>One line took longer than <c>--line-timeout</c> to arrive (slowloris).</summary>
    LineTimeout = 9,
    /// <summary>The client sent lines over <c>--line-rate</c> for <c>--flood-timeout</c> without a break.</summary>
    Flood = 10,
}

namespace ChatFork.Supervisor;

/// <summary>The transport (<c>--transport</c>).</summary>
public enum Transport
{
    /// <summary>TCP: a connection, a socket and (in the process model) a worker per client.</summary>
    Tcp,
    /// <summary>UDP: one socket answers every peer; each datagram is a message of its own, and may be lost.</summary>
    Udp,
}

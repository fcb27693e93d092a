using System.Net;

namespace ChatFork.Supervisor;

/// <summary>
/// The limits every model applies to a new connection, in one order: none during shutdown, at most
/// <c>--max-clients</c> connections, at most <c>--max-clients-per-ip</c> from one address. It counts connections per
/// address; the total is the caller's (the process model counts busy workers and waiting connections, the lab's
/// models their sessions). Not thread-safe: callers hold their own lock around it.
/// </summary>
internal sealed class AdmissionRules
{
    private readonly ServerSettings _settings;
    private readonly AddressCounts _perAddress = new();

    public AdmissionRules(ServerSettings settings)
    {
        _settings = settings;
    }

    /// <summary>Null if a connection from <paramref name="address"/> may come in, else the line to refuse it with.</summary>
    /// <param name="closed">The server is shutting down.</param>
    /// <param name="connections">Connections counted now against <c>--max-clients</c>.</param>
    public string? Check(bool closed, int connections, IPAddress address)
    {
        if (closed)
        {
            return Refusal.ShuttingDown;
        }

        if (connections >= _settings.MaxClients)
        {
            return Refusal.ServerFull;
        }

        return _perAddress.Of(address) >= _settings.MaxClientsPerIp ? Refusal.TooManyFromAddress : null;
    }

    /// <summary>One more connection from <paramref name="address"/> counts against its limit.</summary>
    public void Count(IPAddress address) => _perAddress.Add(address);

    /// <summary>A counted connection from <paramref name="address"/> is gone.</summary>
    public void Release(IPAddress address) => _perAddress.Remove(address);
}

using System.Net;

namespace ChatFork.Supervisor.Lab;

/// <summary><c>--max-clients</c> and <c>--max-clients-per-ip</c> for the in-process models (no workers to count).</summary>
internal sealed class ConnectionLimiter
{
    private readonly Lock _lock = new();
    private readonly ServerSettings _settings;
    private readonly AddressCounts _perAddress = new();
    private int _count;
    private bool _closed;

    public ConnectionLimiter(ServerSettings settings)
    {
        _settings = settings;
    }

    /// <summary>Null if the connection may stay (and is counted), else the line to refuse it with.</summary>
    public string? TryAdmit(IPAddress address)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return Refusal.ShuttingDown;
            }

            if (_count >= _settings.MaxClients)
            {
                return Refusal.ServerFull;
            }

            if (_perAddress.Of(address) >= _settings.MaxClientsPerIp)
            {
                return Refusal.TooManyFromAddress;
            }

            _count++;
            _perAddress.Add(address);
            return null;
        }
    }

    public void Release(IPAddress address)
    {
        lock (_lock)
        {
            _count--;
            _perAddress.Remove(address);
        }
    }

    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }
    }
}

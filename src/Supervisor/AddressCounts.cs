using System.Net;

namespace ChatFork.Supervisor;

/// <summary>Connections per client address, for <c>--max-clients-per-ip</c>. Not thread-safe; callers lock.</summary>
internal sealed class AddressCounts
{
    private readonly Dictionary<IPAddress, int> _counts = [];

    public int Of(IPAddress address) => _counts.GetValueOrDefault(address);

    public void Add(IPAddress address) => _counts[address] = Of(address) + 1;

    public void Remove(IPAddress address)
    {
        var left = Of(address) - 1;
        if (left <= 0)
        {
            _counts.Remove(address);
        }
        else
        {
            _counts[address] = left;
        }
    }
}

using System.Globalization;
using System.Net;

namespace ChatFork.Bench.Cli;

/// <summary>Parses --target HOST:PORT and holds the bench to loopback, where all its traffic must stay.</summary>
internal static class TargetAddress
{
    public static IPEndPoint Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            throw new BenchException($"--target must look like HOST:PORT (for example 127.0.0.1:5000), not '{text}'.");
        }

        var host = text[..colon].Trim('[', ']');
        var address = host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var parsed) ? parsed : null;
        if (address is null || !IPAddress.IsLoopback(address))
        {
            throw new BenchException(
                $"--target must be a loopback address such as 127.0.0.1 or localhost, not '{host}'; the bench only "
                + "sends traffic to loopback.");
        }

        return new IPEndPoint(address, port);
    }
}

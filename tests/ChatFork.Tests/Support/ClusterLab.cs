using System.Globalization;
using NUnit.Framework;

namespace ChatFork.Tests.Support;

/// <summary>
/// Two or three ChatFork hosts and one Redis, for the cluster tests. Each host is a network namespace of its own with
/// a veth pair to the Redis namespace (host i: 10.231.i.2, Redis: 10.231.i.1), so the supervisors really are apart:
/// separate loopbacks, separate addresses, Redis reached over a link. Where namespaces cannot be made (not root, no
/// ip), the hosts share this machine's loopback and are told apart by --node only; the test output says so.
/// Disposing stops everything by pid and deletes the namespaces, also after a failed test.
/// </summary>
internal sealed class ClusterLab : IAsyncDisposable
{
    private readonly List<string> _namespaces = [];
    private readonly List<ServerProcess> _hosts = [];
    private readonly string _directory;

    private ClusterLab(string directory)
    {
        _directory = directory;
    }

    public IReadOnlyList<ServerProcess> Hosts => _hosts;

    public RedisServer Redis { get; private set; } = null!;

    /// <summary>True when the hosts are network namespaces; false on the loopback fallback.</summary>
    public bool Namespaces { get; private set; }

    public static string NodeName(int host) => $"host-{(char)('a' + host)}";

    /// <summary>Starts Redis and <paramref name="hosts"/> supervisors, each with <paramref name="options"/>.</summary>
    public static async Task<ClusterLab> StartAsync(int hosts, bool appendOnly = true, params string[] options)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"chatfork-cluster-{Environment.ProcessId}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        var lab = new ClusterLab(directory);
        try
        {
            await lab.BuildAsync(hosts, appendOnly, options);
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>--cluster for host <paramref name="host"/>: the Redis address as that host reaches it.</summary>
    public string RedisUrl(int host) => Namespaces
        ? $"redis://10.231.{host + 1}.1:{Redis.Port}"
        : $"redis://127.0.0.1:{Redis.Port}";

    /// <summary>Starts (again) the supervisor of host <paramref name="host"/>.</summary>
    public async Task<ServerProcess> StartHostAsync(int host, params string[] options)
    {
        var all = new List<string> { "--cluster", RedisUrl(host), "--node", NodeName(host) };
        foreach (var (name, value) in new[] { ("--cluster-heartbeat-ttl", "2"), ("--prespawn", "2"), ("--log-level", "info"), ("--line-rate", "0") })
        {
            if (!options.Contains(name))
            {
                all.AddRange([name, value]);
            }
        }

        var server = await ServerProcess.StartInNamespaceAsync(Namespaces ? _namespaces[host + 1] : null, [.. all, .. options]);
        if (host < _hosts.Count)
        {
            _hosts[host] = server;
        }
        else
        {
            _hosts.Add(server);
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        foreach (var ns in _namespaces)
        {
            NetworkNamespace.Run("ip", "netns", "del", ns);
        }

        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task BuildAsync(int hosts, bool appendOnly, string[] options)
    {
        NetworkNamespace.RemoveLeftovers();
        var tag = NetworkNamespace.NewTag();
        try
        {
            MakeNamespaces(tag, hosts);
            Namespaces = true;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            foreach (var ns in _namespaces)
            {
                NetworkNamespace.Run("ip", "netns", "del", ns);
            }

            _namespaces.Clear();
            TestContext.Progress.WriteLine($"cluster test: network namespaces cannot be made here ({e.Message}); " +
                                           "falling back to loopback: the hosts share 127.0.0.1 and differ only by --node");
        }

        Redis = Namespaces
            ? await RedisServer.StartAsync(_namespaces[0], "0.0.0.0", 6379, _directory, appendOnly)
            : await RedisServer.StartAsync(null, "127.0.0.1", 0, _directory, appendOnly);
        for (var i = 0; i < hosts; i++)
        {
            await StartHostAsync(i, options);
        }
    }

    // Namespace tag+"r" holds Redis; tag+"h<i>" is host i, linked to it by a veth pair on 10.231.<i+1>.0/24.
    private void MakeNamespaces(string tag, int hosts)
    {
        var redis = tag + "r";
        NetworkNamespace.Ip("netns", "add", redis);
        _namespaces.Add(redis);
        NetworkNamespace.Ip("-n", redis, "link", "set", "lo", "up");
        for (var i = 1; i <= hosts; i++)
        {
            var host = tag + "h" + i.ToString(CultureInfo.InvariantCulture);
            NetworkNamespace.Ip("netns", "add", host);
            _namespaces.Add(host);
            var redisSide = tag + "r" + i.ToString(CultureInfo.InvariantCulture);
            NetworkNamespace.Ip("link", "add", redisSide, "netns", redis, "type", "veth", "peer", "name", host, "netns", host);
            NetworkNamespace.Ip("-n", redis, "addr", "add", $"10.231.{i}.1/24", "dev", redisSide);
            NetworkNamespace.Ip("-n", redis, "link", "set", redisSide, "up");
            NetworkNamespace.Ip("-n", host, "addr", "add", $"10.231.{i}.2/24", "dev", host);
            NetworkNamespace.Ip("-n", host, "link", "set", host, "up");
            NetworkNamespace.Ip("-n", host, "link", "set", "lo", "up");
        }
    }
}

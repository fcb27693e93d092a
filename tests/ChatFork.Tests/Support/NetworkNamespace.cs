using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace ChatFork.Tests.Support;

/// <summary>
/// Network namespaces the cluster tests make (<c>ip netns</c>), so that each supervisor runs on a host of its own with
/// its own addresses, all of them inside namespaces these tests created (10.231.x.y), never outside. The names carry
/// this test run's pid (<c>cf&lt;pid&gt;x&lt;n&gt;...</c>), so leftovers of an earlier run that died can be found and
/// removed, and another run's never touched.
/// </summary>
internal static partial class NetworkNamespace
{
    private const int CLONE_NEWNET = 0x40000000;
    private static int s_counter;

    /// <summary>A fresh name prefix for one test's namespaces.</summary>
    public static string NewTag() => $"cf{Environment.ProcessId}x{Interlocked.Increment(ref s_counter)}";

    /// <summary>Runs <c>ip ARGS</c>; throws with its error output when it fails.</summary>
    public static void Ip(params string[] args)
    {
        var (code, output) = Run("ip", args);
        if (code != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)} failed ({code}): {output.Trim()}");
        }
    }

    public static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(15_000))
        {
            p.Kill();
            return (-1, "timed out");
        }

        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Deletes namespaces named by this code for test runs whose process is gone.</summary>
    public static void RemoveLeftovers()
    {
        var (code, list) = Run("ip", "netns", "list");
        if (code != 0)
        {
            return;
        }

        foreach (Match m in OurName().Matches(list))
        {
            var pid = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
            {
                Run("ip", "netns", "del", m.Groups[1].Value);
            }
        }
    }

    /// <summary>
    /// A TCP socket that belongs to the namespace <paramref name="netns"/>: made on a thread of its own that first
    /// joins that namespace (setns is per thread). A socket stays in the namespace it was made in, whichever thread
    /// uses it later.
    /// </summary>
    public static Socket CreateSocket(string netns)
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/run/netns/{netns}");
                if (SetNs((int)handle.DangerousGetHandle(), CLONE_NEWNET) != 0)
                {
                    throw new InvalidOperationException($"setns({netns}) failed: errno {Marshal.GetLastPInvokeError()}");
                }

                socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            }
            catch (Exception e)
            {
                failure = e;
            }
        }) { IsBackground = true, Name = $"netns {netns}" };
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException($"could not make a socket in {netns}", failure);
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);

    // Group 1: the whole name; group 2: the pid of the test run that made it.
    [GeneratedRegex(@"^(cf(\d+)x\d+[a-z]\d*)\b", RegexOptions.Multiline)]
    private static partial Regex OurName();
}

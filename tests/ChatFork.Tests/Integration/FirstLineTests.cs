using System.Net.Sockets;
using System.Text;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>Nothing a client sends after its welcome may be lost, however fast it answers.</summary>
public sealed class FirstLineTests
{
    [Test]
    public async Task A_command_sent_the_moment_the_welcome_arrives_is_always_answered()
    {
        // 10 bursts of 20 clients, each sending /who as soon as its welcome line arrives: the race between the
        // hand-off and the room learning of the member, seen in up to 6 of 10 bursts before the room was told first.
        await using var server = await ServerProcess.StartAsync("--prespawn", "20", "--pool-wait", "20");
        var unanswered = new List<string>();
        for (var burst = 0; burst < 10; burst++)
        {
            var clients = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => AskWhoAtOnceAsync(server)));
            unanswered.AddRange(clients.Where(c => c is not null).Select(c => $"burst {burst}: {c}"));
        }

        Assert.That(unanswered, Is.Empty, "clients whose first command got no answer:\n" + string.Join("\n", unanswered) + "\n" + server.Log);
        Assert.That(server.Log, Does.Not.Contain("arrived after it left the room"));
    }

    // Returns null when /who was answered, else what the client saw.
    private static async Task<string?> AskWhoAtOnceAsync(ServerProcess server)
    {
        using var socket = new Socket(server.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server.EndPoint);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new StringBuilder();
        var buffer = new byte[8192];
        var asked = false;
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
                if (n == 0)
                {
                    return "EOF after: " + seen;
                }

                seen.Append(Encoding.UTF8.GetString(buffer, 0, n));
                var text = seen.ToString();
                if (!asked && text.Contains("* welcome to chatfork", StringComparison.Ordinal) && text.Contains('\n', StringComparison.Ordinal))
                {
                    asked = true;
                    await socket.SendAsync("/who\n"u8.ToArray(), SocketFlags.None, cancel.Token);
                }

                if (asked && System.Text.RegularExpressions.Regex.IsMatch(text, @"\* \d+ here:"))
                {
                    return null;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return "no answer within 20 s; saw: " + seen.ToString().Replace("\r\n", " | ", StringComparison.Ordinal);
        }
    }
}

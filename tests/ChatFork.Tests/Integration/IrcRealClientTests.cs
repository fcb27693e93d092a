using System.Diagnostics;
using System.Text.RegularExpressions;
using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// A real IRC client, not ours: WeeChat (Debian's weechat-headless, which .ci/run installs), driven through its command
/// line and its FIFO, connects, registers, auto-joins #lab, talks and is talked to, and disconnects, while the test
/// client watches from inside the channel and WeeChat's own log says what WeeChat showed.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
[LinuxOnly("WeeChat is a Linux program and its worker pids are read from /proc; IRC under Wine is left to a later round")]
public sealed partial class IrcRealClientTests
{
    [Test]
    public async Task WeeChat_connects_joins_a_channel_and_talks_with_another_client_each_in_its_own_worker()
    {
        var weechat = FindOnPath("weechat-headless");
        if (weechat is null)
        {
            Assert.Ignore("weechat-headless is not installed (apt-get install -y weechat-headless; .ci/run does it), so no real client can be driven.");
        }

        await using var server = await ServerProcess.StartAsync("--protocol", "irc", "--server-name", "irc.test");
        var (watcher, _) = await IrcTestClient.RegisterAsync(server.EndPoint, "watcher");
        await using var w = watcher;
        await watcher.SendAsync("JOIN #lab");
        await watcher.ExpectAsync("366");

        var home = Path.Combine(TestContext.CurrentContext.WorkDirectory, "weechat", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(home);
        var commands = string.Join("; ",
            "/set logger.file.flush_delay 0",
            "/set irc.server_default.tls off",
            $"/server add chatfork 127.0.0.1/{server.EndPoint.Port}",
            "/set irc.server.chatfork.nicks weebot",
            "/set irc.server.chatfork.username weebot",
            "/set irc.server.chatfork.autojoin #lab",
            "/connect chatfork");
        var info = new ProcessStartInfo(weechat) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in new[] { "--dir", home, "--run-command", commands })
        {
            info.ArgumentList.Add(argument);
        }

        using var client = Process.Start(info)!;
        client.OutputDataReceived += (_, _) => { };
        client.ErrorDataReceived += (_, _) => { };
        client.BeginOutputReadLine();
        client.BeginErrorReadLine();
        try
        {
            var join = await watcher.ExpectAsync("JOIN", TimeSpan.FromSeconds(30));
            Assert.That(join.Source, Is.EqualTo("weebot!~weebot@127.0.0.1"), "WeeChat registered and auto-joined #lab");

            await watcher.SendAsync("WHOIS weebot");
            var whois = await watcher.ReadUntilAsync(r => r.Command == "318", "WHOIS weebot");
            var weePid = Pid(whois.Single(r => r.Command == "312").Last!);
            await watcher.SendAsync("WHOIS watcher");
            var ownPid = Pid((await watcher.ReadUntilAsync(r => r.Command == "318", "WHOIS watcher")).Single(r => r.Command == "312").Last!);
            Assert.That(weePid, Is.Not.EqualTo(ownPid), "two clients, two worker processes");
            Assert.That(server.Children().Select(c => c.Pid), Is.SupersetOf(new[] { weePid, ownPid }));

            var fifo = await FindFifoAsync(home);
            await File.AppendAllTextAsync(fifo, "irc.chatfork.#lab *hello from weechat\n");
            var said = await watcher.ExpectAsync("PRIVMSG", TimeSpan.FromSeconds(15));
            Assert.That(said.Raw, Is.EqualTo(":weebot!~weebot@127.0.0.1 PRIVMSG #lab :hello from weechat"));

            await watcher.SendAsync("PRIVMSG #lab :hello weebot, from the test");
            var log = Path.Combine(home, "logs", "irc.chatfork.#lab.weechatlog");
            Assert.That(await ServerProcess.EventuallyAsync(() => File.Exists(log) && File.ReadAllText(log).Contains("hello weebot, from the test", StringComparison.Ordinal),
                TimeSpan.FromSeconds(15)), Is.True, $"WeeChat shows the line in #lab. Its log:\n{(File.Exists(log) ? File.ReadAllText(log) : "(none)")}");
            var shown = File.ReadAllText(log);
            Assert.That(shown, Does.Contain("watcher").And.Contain("has joined #lab"), "WeeChat showed the join and the speaker");

            await File.AppendAllTextAsync(fifo, "irc.server.chatfork */disconnect\n");
            var quit = await watcher.ExpectAsync("QUIT", TimeSpan.FromSeconds(15));
            Assert.That(quit.SourceNick, Is.EqualTo("weebot"));
            Assert.That(quit.Last, Does.StartWith("Quit: "), "WeeChat's quit message is relayed");
        }
        finally
        {
            if (!client.HasExited)
            {
                client.Kill();
                await client.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
    }

    private static int Pid(string serverInfo) =>
        int.Parse(WorkerPid().Match(serverInfo).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<string> FindFifoAsync(string home)
    {
        string? fifo = null;
        var found = await ServerProcess.EventuallyAsync(() => (fifo = Directory.EnumerateFileSystemEntries(home, "weechat_fifo*").FirstOrDefault()) is not null);
        Assert.That(found, Is.True, $"WeeChat's FIFO in {home}");
        return fifo!;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    [GeneratedRegex(@"worker process (\d+)")]
    private static partial Regex WorkerPid();
}

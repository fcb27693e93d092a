using ChatFork.Tests.Support;
using NUnit.Framework;

namespace ChatFork.Tests.Integration;

/// <summary>
/// A worker must inherit nothing of the supervisor but what it is given: above all, no other client's socket. A
/// worker holding another client's socket keeps that connection open after its own worker is gone, and the client
/// waits for an EOF that never comes.
/// </summary>
/// <remarks>
/// On Linux every socket .NET makes is close-on-exec, so a worker inherits none. On Windows an accepted socket is not
/// inheritable either, but <c>Process.Start</c> passes <c>bInheritHandles=TRUE</c> to <c>CreateProcess</c>, so
/// any handle that is inheritable leaks into every worker. Under Wine accepted sockets are inheritable: there, a
/// worker started while another client waits for its own worker inherits that client's socket unless the supervisor
/// names the handles a worker may inherit (<c>PROC_THREAD_ATTRIBUTE_HANDLE_LIST</c>). So this test, which passes on
/// Windows by luck of the socket flags, is the one that shows the handle list working, under Wine.
/// </remarks>
public sealed class HandleInheritanceTests
{
    [Test]
    public async Task A_client_sees_EOF_as_soon_as_its_worker_dies_although_another_worker_was_started_while_it_waited()
    {
        // No pool: each connection starts its own worker, and the second starts while the first client's socket is
        // still in the supervisor, waiting for its worker to attach.
        await using var server = await ServerProcess.StartAsync("--prespawn", "0", "--enable-crash-command");
        var first = server.ConnectAsync("first");
        var second = server.ConnectAsync("second");
        await using var alice = await first;
        await using var bob = await second;
        await alice.ReadUntilAsync(l => l.Contains("/help lists the commands", StringComparison.Ordinal), "alice's greeting");
        await bob.ReadUntilAsync(l => l.Contains("/help lists the commands", StringComparison.Ordinal), "bob's greeting");
        Assert.That(server.WorkerPids(), Has.Count.EqualTo(2));

        // A crash closes nothing in order: the connection ends when the last handle to the socket goes. If bob's
        // worker had inherited alice's socket, that would be when bob leaves.
        await alice.SendAsync("/crash");
        Assert.That(await alice.WaitForEofAsync(TimeSpan.FromSeconds(10)), Is.True,
            "alice's connection stayed open after her worker died: another process holds her socket");
        await bob.SendAsync("/who");
        await bob.ReadUntilAsync(l => l.Contains("(you)", StringComparison.Ordinal), "bob is still served");
    }
}
